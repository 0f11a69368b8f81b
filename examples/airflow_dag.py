"""An Airflow DAG that drives a Theseus migration through its CLI.

Each task runs one `migrate` command with --json and fails when the command does: the exit code
says why (2 usage, 3 refused for now, 4 an assertion failed, 5 the database said no, 6 stopped
under load, run again to resume). backfill is idempotent and resumes where it stopped, so Airflow's
retries are safe; cutover refuses until every window is validated.

Install the CLI where the worker runs: npm install -g theseus-migrate (or use npx theseus-migrate).
"""
import json
import subprocess
from datetime import datetime

from airflow.decorators import dag, task
from airflow.exceptions import AirflowException

CONFIG = "/opt/migrations/orders/migrate.yaml"


def migrate(*args: str) -> list[dict]:
    """Runs `migrate <args> --json --config CONFIG`; returns the JSON it printed (one object per line)."""
    done = subprocess.run(["migrate", *args, "--json", "--config", CONFIG], capture_output=True, text=True)
    if done.returncode != 0:
        # stderr holds "error [CODE]: message" and a hint: show them in the task log.
        raise AirflowException(f"migrate {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    out = done.stdout.strip()
    try:
        return [json.loads(out)]  # status, verify, validate: one JSON document
    except ValueError:
        return [json.loads(line) for line in out.splitlines() if line.strip()]  # backfill: one event per line


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["theseus"])
def orders_migration():
    @task
    def validate():
        migrate("validate", "--connect")

    @task(retries=3)
    def backfill():
        # Gentle on the source: at most 2 slices at once, a pause between slice starts.
        events = migrate("backfill", "--all", "--max-parallel", "2", "--min-interval", "5s")
        summary = events[-1]
        print(f"{summary['slices_done']} slices, {summary['inserted']} inserted, {summary['updated']} updated")

    @task
    def verify():
        report = migrate("verify")[0]
        if not report["ok"]:
            raise AirflowException("verify found differences; see the report")

    @task
    def status():
        # cutover is left to a person (migrate cutover), or add a task here once you trust the DAG.
        return migrate("status")[0]["tables"]

    validate() >> backfill() >> verify() >> status()


orders_migration()
