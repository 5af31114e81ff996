"""The M/M/c + exponential-patience queue in SimPy 2 (classic API, Debian python3-simpy), for
bench/sim.ts to time beside open111's simulator. Usage: simpy_mmc.py CALLS SEED
(lambda 0.05/s, 28 agents, mean handling 480 s, mean patience 300 s). Prints one JSON line."""
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate

LAMBDA, AGENTS, HANDLE, PATIENCE = 0.05, 28, 480.0, 300.0
stats = {"offered": 0, "answered": 0, "within60": 0, "abandoned": 0, "abandonedAfter30": 0}


class Caller(Process):
    def call(self, agents):
        arrived = now()
        stats["offered"] += 1
        # Wait for an agent, or hang up when patience runs out (SimPy 2's reneging form).
        yield (request, self, agents), (hold, self, random.expovariate(1 / PATIENCE))
        wait = now() - arrived
        if self.acquired(agents):
            stats["answered"] += 1
            if wait <= 60:
                stats["within60"] += 1
            yield hold, self, random.expovariate(1 / HANDLE)
            yield release, self, agents
        else:
            stats["abandoned"] += 1
            if wait > 30:
                stats["abandonedAfter30"] += 1


class Source(Process):
    def generate(self, calls, agents):
        for _ in range(calls):
            c = Caller()
            activate(c, c.call(agents))
            yield hold, self, random.expovariate(LAMBDA)


def main():
    calls, seed = int(sys.argv[1]), int(sys.argv[2])
    random.seed(seed)
    started = time.process_time()
    initialize()
    agents = Resource(capacity=AGENTS, name="agents")
    s = Source()
    activate(s, s.generate(calls, agents))
    simulate(until=1e12)
    seconds = time.process_time() - started
    print(json.dumps({**stats, "seconds": seconds}))


main()
