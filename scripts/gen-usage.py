#!/usr/bin/env python3
"""Writes a seeded, synthetic usage file in the schema of the Power Platform self-service
analytics Usage entity, for benchmarks of `worth import usage`.

    scripts/gen-usage.py ROWS OUT.csv [--seed N] [--apps N] [--users N] [--days N]

The same arguments give the same file, byte for byte. Each row is one app session: a user
(out of --users) opens one of their few favourite apps (out of --apps) on one of --days days
starting 2024-07-01; about 3% of rows repeat the previous row's session, as overlapping
exports do. Identifiers are random GUIDs; nothing in the file is real.
"""

import argparse
import random
import sys
import uuid


def guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("rows", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--apps", type=int, default=500)
    p.add_argument("--users", type=int, default=50_000)
    p.add_argument("--days", type=int, default=92)
    a = p.parse_args()

    rng = random.Random(a.seed)
    tenant = guid(rng)
    envs = [guid(rng) for _ in range(20)]
    apps = [(guid(rng), rng.choice(envs), f"{rng.randint(1, 40)}.{rng.randint(0, 9)}") for _ in range(a.apps)]
    users = [guid(rng) for _ in range(a.users)]
    favourites = [rng.sample(range(a.apps), rng.randint(1, 6)) for _ in range(a.users)]
    countries = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "NL"]
    platforms = ["Web", "Android", "iOS", "Windows"]
    browsers = ["Chrome", "Edge", "Safari", "Firefox", ""]
    # Days as text, so that each row formats only its time of day.
    days = []
    y, m, d = 2024, 7, 1
    month_len = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
    for _ in range(a.days):
        days.append(f"{y:04d}-{m:02d}-{d:02d}")
        d += 1
        if d > month_len[m]:
            d, m = 1, m + 1
            if m > 12:
                m, y = 1, y + 1

    out = open(a.out, "w", newline="", buffering=1 << 20)
    out.write("AppId,environmentId,tenantid,ObjectID,SessionId,timeaccessed,Country,platform,"
              "PlayerVersion,AppVersion,Browsername,DataVersion\r\n")
    rand = rng.random
    randrange = rng.randrange
    getrandbits = rng.getrandbits
    previous = None
    lines = []
    n_users = a.users
    for i in range(a.rows):
        if previous is not None and rand() < 0.03:
            line = previous
        else:
            # A skewed choice of user: a few use apps far more than most.
            u = int(n_users * rand() ** 2)
            fav = favourites[u]
            app, env, version = apps[fav[randrange(len(fav))]]
            s = getrandbits(128)
            session = f"{s >> 96:08x}-{(s >> 80) & 0xffff:04x}-4{(s >> 68) & 0xfff:03x}-a{(s >> 52) & 0xfff:03x}-{s & 0xffffffffffff:012x}"
            t = randrange(86400)
            line = (
                f"{app},{env},{tenant},{users[u]},{session},"
                f"{days[randrange(a.days)]}T{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}Z,"
                f"{countries[u % 8]},{platforms[u % 4]},3.24{u % 10}.{u % 7},{version},"
                f"{browsers[u % 5]},2024-06-01\r\n"
            )
        previous = line
        lines.append(line)
        if len(lines) >= 10_000:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
    out.close()
    print(f"wrote {a.rows} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
