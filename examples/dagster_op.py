"""Dagster ops that drive a Theseus migration through its CLI (`migrate … --json`).

The exit code says why a command failed (2 usage, 3 refused for now, 4 an assertion failed,
5 the database said no, 6 stopped under load: run again to resume). backfill resumes where it
stopped, so a retry policy is safe.
"""
import json
import subprocess

from dagster import Failure, RetryPolicy, job, op

CONFIG = "/opt/migrations/orders/migrate.yaml"


def migrate(*args: str) -> list[dict]:
    done = subprocess.run(["migrate", *args, "--json", "--config", CONFIG], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(description=f"migrate {' '.join(args)} exited {done.returncode}", metadata={"stderr": done.stderr})
    out = done.stdout.strip()
    try:
        return [json.loads(out)]  # status, verify, validate: one JSON document
    except ValueError:
        return [json.loads(line) for line in out.splitlines() if line.strip()]  # backfill: one event per line


@op(retry_policy=RetryPolicy(max_retries=3, delay=60))
def backfill_orders(context) -> dict:
    summary = migrate("backfill", "--all", "--max-parallel", "2")[-1]
    context.log.info(f"{summary['slices_done']} slices, {summary['inserted']} inserted, {summary['updated']} updated")
    return summary


@op
def verify_orders(context, _backfilled: dict) -> dict:
    report = migrate("verify")[0]
    if not report["ok"]:
        raise Failure(description="verify found differences")
    return report


@job
def orders_migration():
    verify_orders(backfill_orders())
