#!/usr/bin/env python3
"""The pandas peer of the benchmark: the demo scorecard (definitions/customer_health.yaml)
computed in pandas from the same files healthscore reads, written the straightforward way.
It is the same computation as bench/baselines.ts (the hand-written SQL), step by step.

  python3 bench/peers/pandas_peer.py --project DIR --out DIR --start YYYY-MM-DD

reads DIR/events/*.parquet (or *.csv), accounts.csv, attributes.csv, churn.csv; writes
OUT/health_scores/snapshot_date=YYYY-MM-DD/*.parquet (one folder per day; with --csv, one
CSV file OUT/health_scores.csv instead, for Pythons without a Parquet engine) and prints
its step times as JSON.
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("--project", required=True)
p.add_argument("--out", required=True)
p.add_argument("--start", required=True)
p.add_argument("--csv", action="store_true")
args = p.parse_args()

seconds = {}
last = time.perf_counter()


def step(name):
    global last
    now = time.perf_counter()
    seconds[name] = now - last
    last = now


DAY = np.int64(86_400_000_000_000)


def day_number(values):
    """Day numbers (days since 1970-01-01, UTC) of timestamps or dates."""
    ts = pd.to_datetime(values, utc=True)
    return (ts.astype("int64") // DAY).astype("int64")


# ---- read the files
files = sorted(glob.glob(os.path.join(args.project, "events", "*.parquet"))) or sorted(
    glob.glob(os.path.join(args.project, "events", "*.csv"))
)
cols = ["account_id", "event", "ts", "user_id"]
events = pd.concat(
    [pd.read_parquet(f, columns=cols) if f.endswith(".parquet") else pd.read_csv(f, usecols=cols) for f in files],
    ignore_index=True,
)
events["day"] = day_number(events["ts"])
accounts = pd.read_csv(os.path.join(args.project, "accounts.csv"), dtype=str)
attributes = pd.read_csv(os.path.join(args.project, "attributes.csv"), dtype=str)
churn = pd.read_csv(os.path.join(args.project, "churn.csv"), dtype=str)
accounts["created_day"] = day_number(accounts["created_at"])
attributes["observed_at"] = pd.to_datetime(attributes["observed_at"])
attributes["day"] = day_number(attributes["observed_at"])
churn["day"] = day_number(churn["churned_at"])
step("read")

first_snapshot = int(day_number(pd.Series([args.start])).iloc[0])
last_day = int(events["day"].max())

# ---- every account and its first day: created_at, else its first event or attribute
first_day = pd.concat(
    [
        accounts.groupby("account_id")["created_day"].min().rename("created"),
        events.groupby("account_id")["day"].min().rename("first_event"),
        attributes.groupby("account_id")["day"].min().rename("first_attribute"),
    ],
    axis=1,
)
first_day["first_day"] = first_day["created"].fillna(first_day[["first_event", "first_attribute"]].min(axis=1))
first_day = first_day.loc[first_day["first_day"] <= last_day, "first_day"].astype("int64")
ids = first_day.index

# ---- daily counts on a dense account × day grid, from 59 days before the first snapshot
days = np.arange(first_snapshot - 59, last_day + 1)


def grid(series):
    """A (account, day) series as an account × day frame over the spine, 0 where absent."""
    return series.unstack("day").reindex(index=ids, columns=days).fillna(0)


daily = events.groupby(["account_id", "day", "event"]).size().unstack("event")
logins = grid(daily.get("login", pd.Series(dtype=float)).rename_axis(["account_id", "day"]))
tickets = grid(daily.get("ticket_opened", pd.Series(dtype=float)).rename_axis(["account_id", "day"]))
active = grid(events.groupby(["account_id", "day"]).size().clip(upper=1))
churned = grid(churn.groupby(["account_id", "day"]).size().clip(upper=1))
step("aggregate")


def rolling30(frame):
    return frame.T.rolling(30, min_periods=1).sum().T


logins_30d = rolling30(logins)
logins_prev_30d = logins_30d.shift(30, axis=1)  # rows 59 … 30 preceding
active_days_30d = rolling30(active)
tickets_30d = rolling30(tickets)
day_grid = pd.DataFrame(np.broadcast_to(days, logins.shape), index=ids, columns=days)
last_active_day = day_grid.where(active > 0).ffill(axis=1)
last_churn_day = day_grid.where(churned > 0).ffill(axis=1)

# distinct users over the 30 days up to each day: each user-day covers itself and the next
# 29 days, up to the user's next active day; count the coverages per account and day
ud = events.loc[events["user_id"].notna(), ["account_id", "user_id", "day"]].drop_duplicates()
ud = ud.sort_values(["account_id", "user_id", "day"])
nxt = ud.groupby(["account_id", "user_id"])["day"].shift(-1)
end = np.minimum(ud["day"] + 29, nxt.fillna(np.iinfo(np.int64).max) - 1).astype("int64")
delta = pd.concat(
    [
        pd.DataFrame({"account_id": ud["account_id"], "day": ud["day"].clip(lower=days[0]), "d": 1}),
        pd.DataFrame({"account_id": ud["account_id"], "day": (end + 1).clip(lower=days[0]), "d": -1}),
    ]
)
delta = delta[delta["day"] <= last_day].groupby(["account_id", "day"])["d"].sum()
users_30d = grid(delta).cumsum(axis=1)

# ---- long: one row per account and day from the first snapshot
keep = days >= first_snapshot


def long(frame, name):
    return frame.loc[:, keep].stack(dropna=False).rename(name)


rows = pd.concat(
    [
        long(logins_30d, "logins_30d"),
        long(logins_prev_30d, "logins_prev_30d"),
        long(active_days_30d, "active_days_30d"),
        long(tickets_30d, "tickets_30d"),
        long(users_30d, "active_users_30d"),
        long(last_active_day, "last_active_day"),
        long(last_churn_day, "last_churn_day"),
    ],
    axis=1,
).reset_index()
rows.columns = ["account_id", "day", *rows.columns[2:]]
rows["first_day"] = rows["account_id"].map(first_day)
# scored days: on or after the first day and not churned (a churn lasts until the next active day)
rows = rows[
    (rows["first_day"] <= rows["day"])
    & (rows["last_churn_day"].isna() | (rows["last_active_day"] > rows["last_churn_day"]))
]

# ---- the attributes as of each day (several on one day: the latest observation wins)
att = attributes[attributes["attribute"].isin(["plan", "seats", "nps", "csm_sentiment"])]
att = att.sort_values("observed_at").groupby(["account_id", "attribute", "day"], as_index=False).last()
rows = rows.sort_values("day")
for name in ["plan", "seats", "nps", "csm_sentiment"]:
    a = att.loc[att["attribute"] == name, ["account_id", "day", "value"]].sort_values("day")
    a = a.assign(**{f"{name}_day": a["day"]}).rename(columns={"value": name})
    rows = pd.merge_asof(rows, a, on="day", by="account_id", direction="backward")
rows = rows[rows["plan"].isin(["pro", "enterprise"])].copy()
step("join")

# ---- measures and scores (every score rounded to 4 places, clamped to 0 … 10)
seats = pd.to_numeric(rows["seats"], errors="coerce").replace(0, np.nan)
seat_coverage = rows["active_users_30d"] / seats
nps = pd.to_numeric(rows["nps"], errors="coerce").where(rows["day"] - rows["nps_day"] <= 180)
sentiment = rows["csm_sentiment"].where(rows["day"] - rows["csm_sentiment_day"] <= 120)
prev = rows["logins_prev_30d"].replace(0, np.nan)
login_trend = (rows["logins_30d"] - prev) / prev


def round4(x):
    """Rounded to 4 places, halves away from zero as DuckDB's round (pandas rounds them to even)."""
    return np.sign(x) * np.floor(np.abs(x) * 10_000 + 0.5) / 10_000


def linear(x, worst, best):
    return round4(((x - worst) * 10 / (best - worst)).clip(0, 10))


out = pd.DataFrame({"snapshot_date": rows["day"], "account_id": rows["account_id"]})
out["login_frequency"] = linear(rows["logins_30d"], 0, 10)
out["active_days"] = linear(rows["active_days_30d"], 2, 20)
out["seat_coverage"] = linear(seat_coverage, 0.1, 0.8)
out["support_load"] = linear(rows["tickets_30d"], 8, 0)
out["nps"] = np.select([nps < 7, nps < 9, nps >= 9], [0.0, 5.0, 10.0], np.nan)
out["csm_sentiment"] = sentiment.map({"strong": 10.0, "ok": 6.0, "weak": 0.0})
out["login_trend"] = linear(login_trend, -0.5, 0.2)
weights = {"login_frequency": 3, "active_days": 2, "seat_coverage": 2, "support_load": 1, "nps": 2, "csm_sentiment": 1, "login_trend": 1}
num = sum(out[k].fillna(0) * w for k, w in weights.items())
den = sum(out[k].notna() * w for k, w in weights.items())
out["score"] = round4(num / den)
no_activity = rows["active_days_30d"] == 0
ticket_storm = (rows["tickets_30d"] >= 6) & (login_trend < -0.3)
out["band"] = np.where(ticket_storm | (out["score"] < 3), "red", np.where(no_activity | (out["score"] < 7), "yellow", "green"))
out["insights"] = (
    pd.Series(np.where(no_activity, "no_activity", ""), index=out.index)
    .str.cat(pd.Series(np.where(ticket_storm, "ticket_storm", ""), index=out.index), sep=",")
    .str.strip(",")
)
out["snapshot_date"] = pd.to_datetime(out["snapshot_date"], unit="D").dt.strftime("%Y-%m-%d")
step("score")

# ---- export: one folder per day
os.makedirs(args.out, exist_ok=True)
if args.csv:
    out.to_csv(os.path.join(args.out, "health_scores.csv"), index=False)
else:
    out.to_parquet(os.path.join(args.out, "health_scores"), partition_cols=["snapshot_date"], index=False)
step("export")
print(json.dumps({"seconds": seconds, "rows": {"health_scores": len(out)}}))
