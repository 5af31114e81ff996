"""The whole 111 flow in SimPy 2 (classic API, Debian python3-simpy), equivalent to open111's
simulator with constant staffing: advisers with caller patience; a share passed to a clinician for
assessment; an outcome mix whose ambulance category 3/4 and A&E dispositions a clinician validates; a
warm transfer when a clinician is free, else a call-back, earliest due first. Usage:
simpy_flow.py CALLS SEED PARAMS_JSON. Prints one JSON line."""
import json
import math
import random
import sys
import time

from SimPy.Simulation import PriorityQ, Process, Resource, activate, hold, initialize, now, release, request, simulate

stats = {k: 0 for k in ("offered", "answered", "within60", "abandoned", "abandonedAfter30", "transferred",
                        "warmTransfers", "callBacks", "callBacksMade", "callBacksWithin10Min", "validations",
                        "passedToClinician", "triaged")}
outcomes = [0, 0, 0, 0, 0]


def lognormal(mean, sd):
    s2 = math.log(1 + (sd * sd) / (mean * mean))
    return random.lognormvariate(math.log(mean) - s2 / 2, math.sqrt(s2))


class CallBack(Process):
    def run(self, p, clinicians, ready, due, minutes_mean, minutes_sd, group):
        yield request, self, clinicians, -due
        stats["callBacksMade"] += 1
        if now() - ready <= 600:
            stats["callBacksWithin10Min"] += 1
        yield hold, self, lognormal(minutes_mean, minutes_sd)
        yield release, self, clinicians
        outcomes[group if group >= 0 else draw_outcome(p)] += 1
        stats["triaged"] += 1


def draw_outcome(p):
    u = random.random()
    for i, c in enumerate(p["cumulativeMix"]):
        if u < c:
            return i
    return 4


class Caller(Process):
    def call(self, p, advisers, clinicians):
        arrived = now()
        stats["offered"] += 1
        yield (request, self, advisers), (hold, self, random.expovariate(1 / p["patience"]))
        wait = now() - arrived
        if not self.acquired(advisers):
            stats["abandoned"] += 1
            if wait > 30:
                stats["abandonedAfter30"] += 1
            return
        stats["answered"] += 1
        if wait <= 60:
            stats["within60"] += 1
        yield hold, self, lognormal(p["adviserMean"], p["adviserSd"])
        yield release, self, advisers
        group = -1
        if random.random() < p["clinicianShare"]:
            stats["passedToClinician"] += 1
            kind = "assess"
        else:
            group = draw_outcome(p)
            if (group == 0 and random.random() < p["ambulanceValidatedShare"]) or group == 1:
                stats["validations"] += 1
                kind = "validate"
            else:
                outcomes[group] += 1
                stats["triaged"] += 1
                return
        mean, sd = (p["clinicianMean"], p["clinicianSd"]) if kind == "assess" else (p["validationMean"], p["validationSd"])
        if clinicians.n > 0:
            # A clinician is free: warm transfer, the caller stays on the line.
            stats["warmTransfers"] += 1
            stats["transferred"] += 1
            yield request, self, clinicians, 0
            yield hold, self, lognormal(mean, sd)
            yield release, self, clinicians
            outcomes[group if group >= 0 else draw_outcome(p)] += 1
            stats["triaged"] += 1
        else:
            stats["callBacks"] += 1
            due = now() + (p["assessmentDue"] if kind == "assess" else p["validationDue"])
            cb = CallBack()
            activate(cb, cb.run(p, clinicians, now(), due, mean, sd, group))


class Source(Process):
    def generate(self, calls, p, advisers, clinicians):
        for _ in range(calls):
            c = Caller()
            activate(c, c.call(p, advisers, clinicians))
            yield hold, self, random.expovariate(p["lambda"])


def main():
    calls, seed, p = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    random.seed(seed)
    started = time.process_time()
    initialize()
    advisers = Resource(capacity=p["advisers"], name="advisers")
    clinicians = Resource(capacity=p["clinicians"], name="clinicians", qType=PriorityQ)
    s = Source()
    activate(s, s.generate(calls, p, advisers, clinicians))
    simulate(until=1e12)
    seconds = time.process_time() - started
    print(json.dumps({**stats, "outcomes": outcomes, "seconds": seconds}))


main()
