"""`make run`: the whole app on loopback, against an embedded AWS.

    python -m local.stack [--state-dir .local] [--aws-port 8702] [--api-port 8700] [--dashboard-port 8701]

Writes <state-dir>/outputs.json when, and only when, everything is ready. Ctrl-C stops it cleanly:
the API first, then the streams are drained, the state saved, and the rest stopped.
"""
from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import pathlib
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.request
from datetime import datetime

ROOT = pathlib.Path(__file__).resolve().parent.parent
REGION = "us-east-1"
POOL_NAME = "tally-local"
DEMO_EMAIL = "demo@tally.local"
log = logging.getLogger("tally.local")


def free_port(host: str, wanted: int) -> int:
    if wanted:
        return wanted
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--state-dir", default=os.environ.get("TALLY_STATE_DIR", str(ROOT / ".local")))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--aws-port", type=int, default=int(os.environ.get("TALLY_AWS_PORT", "8702")))
    p.add_argument("--api-port", type=int, default=int(os.environ.get("TALLY_API_PORT", "8700")))
    p.add_argument("--dashboard-port", type=int, default=int(os.environ.get("TALLY_DASHBOARD_PORT", "8701")))
    p.add_argument("--snapshot-every", type=float, default=3.0)
    return p.parse_args(argv)


class Stack:
    def __init__(self, args):
        self.args = args
        self.state_dir = pathlib.Path(args.state_dir).resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.outputs_path = self.state_dir / "outputs.json"
        self.stopping = threading.Event()
        self.workers: list = []
        self.saved_changes = -1
        self.snapshot_lock = threading.Lock()

    # ------------------------------------------------------------------ start
    def start(self) -> dict:
        if self.outputs_path.exists():
            self.outputs_path.unlink()
        host = self.args.host
        # Fake credentials: nothing here may ever reach a real AWS account.
        for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SECURITY_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                     "AWS_REGION": REGION, "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}.items():
            os.environ[k] = v
        for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            os.environ.pop(k, None)

        from .embedded_aws import LOCK, EmbeddedAWS

        self.lock = LOCK
        self.aws = EmbeddedAWS(host, self.args.aws_port).start()
        api_port = free_port(host, self.args.api_port)
        dash_port = free_port(host, self.args.dashboard_port)
        self.api_url = f"http://{host}:{api_port}"
        self.dashboard_url = f"http://{host}:{dash_port}/"

        import boto3

        self.session = boto3.session.Session(region_name=REGION)
        self._endpoint_patch()
        idp = self.session.client("cognito-idp")
        self.pool_id = idp.create_user_pool(
            PoolName=POOL_NAME, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False,
                                         "RequireNumbers": False, "RequireSymbols": False}},
        )["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="dashboard", GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified", "name"],  # as Cognito gives them by default
        )["UserPoolClient"]["ClientId"]
        env = {
            "TALLY_STAGE": "local", "TALLY_AWS_ENDPOINT_URL": self.aws.url,
            "TALLY_USER_POOL_ID": self.pool_id, "TALLY_USER_POOL_CLIENT_ID": self.client_id,
            "TALLY_DASHBOARD_ORIGIN": self.dashboard_url.rstrip("/"), "TALLY_DASHBOARD_URL": self.dashboard_url,
            "TALLY_AUTO_CONFIRM_SIGN_UP": "true", "TALLY_API_URL": self.api_url, "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_SERVICE_NAME": "tally", "POWERTOOLS_METRICS_NAMESPACE": "Tally",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
        os.environ.update(env)
        # Names: the app's defaults unless the caller chose others.
        for k, v in {"TALLY_CORE_TABLE": "tally-core", "TALLY_EXPENSES_TABLE": "tally-expenses",
                     "TALLY_INVENTORY_TABLE": "tally-inventory", "TALLY_CARS_TABLE": "tally-cars",
                     "TALLY_HELPDESK_TABLE": "tally-helpdesk",
                     "TALLY_ROLLUPS_TABLE": "tally-rollups", "TALLY_OUTBOX_TABLE": "tally-outbox",
                     "TALLY_BUCKET": "tally-data", "TALLY_MAIL_FROM": "alerts@tally.example.com"}.items():
            os.environ.setdefault(k, v)
        sys.path.insert(0, str(ROOT))
        from chalicelib.core.settings import get_settings
        from chalicelib.tables import STREAM_ENV, TABLE_MODELS

        from . import state

        s = get_settings()
        snapshot = state.load(self.state_dir)
        stream_models = [TABLE_MODELS[logical] for logical in STREAM_ENV]
        for model in TABLE_MODELS.values():
            # With a snapshot to restore, a stream table gets its stream only after its items are
            # back: restoring must make no stream records (they would be processed a second time).
            state.create_table(model, streams=not (snapshot and model in stream_models))
        s3 = self.session.client("s3")
        s3.create_bucket(Bucket=s.bucket)
        s3.put_public_access_block(Bucket=s.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        self.session.client("ses").verify_email_identity(EmailAddress=s.mail_from)
        self.table_names = [m.Meta.table_name for m in TABLE_MODELS.values()]
        self.tables = {logical: m.Meta.table_name for logical, m in TABLE_MODELS.items()}
        self.bucket = s.bucket

        self.demo_password = self._demo_password()
        if snapshot:
            state.restore(snapshot, self.session, REGION, self.pool_id, self.bucket)
            for model in stream_models:
                state.enable_stream(self.session, model)
            log.info("restored %s items, %d users, %d objects from %s",
                     {k: len(v) for k, v in snapshot["tables"].items()}, len(snapshot["users"]),
                     len(snapshot["objects"]), self.state_dir / state.SNAPSHOT)
        else:
            idp.admin_create_user(UserPoolId=self.pool_id, Username=DEMO_EMAIL, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": DEMO_EMAIL},
                                                  {"Name": "email_verified", "Value": "true"},
                                                  {"Name": "name", "Value": "Demo"}])
            idp.admin_set_user_password(UserPoolId=self.pool_id, Username=DEMO_EMAIL,
                                        Password=self.demo_password, Permanent=True)
        ddb = self.session.client("dynamodb")
        self.stream_arns = {}
        for logical, env_name in STREAM_ENV.items():
            arn = ddb.describe_table(TableName=TABLE_MODELS[logical].Meta.table_name)["Table"]["LatestStreamArn"]
            os.environ[env_name] = arn
            self.stream_arns[logical] = arn
        get_settings.cache_clear()

        import app as app_module

        self.app = app_module.app
        self._start_workers()
        from . import profile_worker  # moto fires no Cognito triggers: profiles for every user

        self.profiles = profile_worker.start(self.app, self.session, self.pool_id, REGION, self.client_id)
        from . import mail_worker  # moto sends no S3 notifications: received email for the inbound handler

        self.mail = mail_worker.start(self.app, self.session, self.bucket, REGION)
        from . import sms_worker  # moto invokes no function from SNS: received texts for the inbound handler

        self.sms = sms_worker.start(self.app, self.session)
        self._start_api(host, api_port)
        from .site import Site

        self.site = Site(host, dash_port, ROOT / "dashboard" / "dist",
                         {"api_url": self.api_url, "region": REGION}, self.api_url, self.aws.url).start()
        self._wait_healthy()
        self.snapshotter = threading.Thread(target=self._snapshot_loop, name="snapshot", daemon=True)
        self.snapshotter.start()
        outputs = {
            "api_url": self.api_url, "dashboard_url": self.dashboard_url, "aws_endpoint_url": self.aws.url,
            "region": REGION, "user_pool_id": self.pool_id, "user_pool_client_id": self.client_id,
            "bucket": self.bucket, "outbox_url": f"{self.dashboard_url}outbox.json",
            "outbox_page": f"{self.dashboard_url}outbox", "demo_email": DEMO_EMAIL,
            "demo_password": self.demo_password, "state_dir": str(self.state_dir),
            "tables": self.tables, "stream_arns": self.stream_arns, "mail_from": s.mail_from,
            "pid": os.getpid(),
        }
        tmp = self.outputs_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(outputs, indent=2))
        tmp.chmod(0o600)  # it holds the demo password
        os.replace(tmp, self.outputs_path)
        return outputs

    def _endpoint_patch(self) -> None:
        """Every boto3 client of this process talks to the embedded AWS."""
        url = self.aws.url
        os.environ["AWS_ENDPOINT_URL"] = url

    def _demo_password(self) -> str:
        path = self.state_dir / "demo.json"
        if path.exists():
            return json.loads(path.read_text())["password"]
        pw = "Demo-" + secrets.token_urlsafe(9) + "1a"
        path.write_text(json.dumps({"email": DEMO_EMAIL, "password": pw}))
        path.chmod(0o600)
        return pw

    def _start_api(self, host: str, port: int) -> None:
        from chalice.config import Config
        from chalice.local import create_local_server

        from . import cognito_authorizer

        cognito_authorizer.install()  # tokens verified as API Gateway's Cognito authorizer does on AWS

        disk = json.loads((ROOT / ".chalice" / "config.json").read_text())
        config = Config.create(chalice_stage="dev", app_name="tally", project_dir=str(ROOT),
                               config_from_disk=disk, chalice_app=self.app)
        # Chalice local sets the stage's variables; the local stack's own values win.
        keep = dict(os.environ)
        self.api = create_local_server(self.app, config, host, port)
        from .api_server import ApiRequestHandler

        # TRACE and other methods Chalice does not route: a JSON 405, not http.server's HTML 501
        self.api.server.RequestHandlerClass = functools.partial(ApiRequestHandler, app_object=self.app, config=config)
        self.api.server.daemon_threads = True  # keep-alive connections must not hold up Ctrl-C
        # socketserver listens with a backlog of 5: a rush of simultaneous clients (a shop's tills)
        # would be reset. Listening again on Linux raises the backlog of the open socket.
        self.api.server.socket.listen(128)
        os.environ.clear()
        os.environ.update(keep)
        self.api_thread = threading.Thread(target=self.api.serve_forever, name="api", daemon=True)
        self.api_thread.start()

    def _start_workers(self) -> None:
        from chalice.app import DynamoDBEventConfig, ScheduledEventConfig

        from .state import Checkpoints
        from .workers import ScheduleWorker, StreamWorker

        self.checkpoints = Checkpoints(self.state_dir, list(self.stream_arns.values()))
        schedules = []
        for src in self.app.event_sources:
            handler = self.app.handler_map[src.name]
            if isinstance(src, DynamoDBEventConfig):
                w = StreamWorker(src.name, handler, src.stream_arn, src.batch_size, self.session, REGION,
                                 self.state_dir / "dead-letters.jsonl", self.checkpoints)
                self.workers.append(w)
                w.start()
            elif isinstance(src, ScheduledEventConfig):
                expr = src.schedule_expression
                schedules.append((src.name, expr if isinstance(expr, str) else expr.to_string(), handler))
        # the dealer models' training: on AWS a function of its own (infra/), here in-process with the dev venv
        from training.cars.schedule import FUNCTION_NAME, SCHEDULE

        schedules.append((FUNCTION_NAME, SCHEDULE, _train_dealer_models))
        self.scheduler = ScheduleWorker(schedules, REGION)
        self.scheduler.start()

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the API did not become healthy")

    # --------------------------------------------------------------- snapshot
    @staticmethod
    def _last_sequence(stream_arn: str) -> int | None:
        """The sequence number of a stream's last record, read from moto (with the lock held)."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[stream_arn.split("/")[1]].stream_shard
        if shard is None or not shard.items:
            return None
        return shard.starting_sequence_number + len(shard.items) - 1

    def _quiescent(self) -> bool:
        """With the moto lock held: every stream record so far has been handled."""
        for w in self.workers:
            if not w.drained():
                return False
            last = self._last_sequence(w.arn)
            if last is not None and (w.last_seq is None or w.last_seq < last):
                return False
        return True

    def snapshot(self) -> bool:
        """Save the state if it changed and the streams are quiet. Only the copy is taken under the
        moto lock; hashing, serialising and writing happen after it is released."""
        from . import state
        from .embedded_aws import Changes

        with self.snapshot_lock:  # one at a time (the loop's and the stop's), saved in the order taken
            t0 = time.perf_counter()
            with self.lock:
                held_from = time.perf_counter()  # waiting for the lock is not holding it
                if Changes.count == self.saved_changes:
                    return True
                if not self._quiescent():
                    return False
                seen = Changes.count
                captured = state.capture(REGION, self.table_names, self.pool_id, self.bucket)
            locked, waited = time.perf_counter() - held_from, held_from - t0
            written = state.save(self.state_dir, state.render(captured))
            self.saved_changes = seen
        if written:
            log.info("snapshot saved: lock %.1f ms, total %.1f ms (%.1f ms waiting for the lock)", locked * 1000,
                     (time.perf_counter() - t0) * 1000, waited * 1000)
        return True

    def maintain(self, now: datetime | None = None) -> dict[str, int]:
        """Trim stream records older than 24 h that every worker has handled (as DynamoDB Streams trims
        them), and drop the empty entries moto leaves in item maps. Under the moto lock, briefly."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.core.utils import utcnow
        from moto.dynamodb.models import dynamodb_backends

        from .moto_fixes import prune_empty_hash_keys, trim_stream

        now = now or utcnow()
        trimmed = pruned = 0
        with self.lock:
            tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables
            for name in self.table_names:
                pruned += prune_empty_hash_keys(tables[name])
            for arn in set(self.stream_arns.values()):
                readers = [w for w in self.workers if w.arn == arn]
                shard = tables[arn.split("/")[1]].stream_shard
                if shard is None or not readers:
                    continue
                handled = [w.last_seq for w in readers]
                trimmed += trim_stream(shard, now, None if None in handled else min(handled))
        if trimmed:
            log.info("trimmed %d stream records older than 24 h", trimmed)
        return {"trimmed": trimmed, "pruned": pruned}

    def _snapshot_loop(self) -> None:
        last_maintained = time.monotonic()
        while not self.stopping.wait(self.args.snapshot_every):
            try:
                self.snapshot()
                if time.monotonic() - last_maintained > 60:
                    last_maintained = time.monotonic()
                    self.maintain()
            except Exception:
                log.exception("snapshot failed")

    # ------------------------------------------------------------------- stop
    def stop(self) -> None:
        self.stopping.set()
        self.api.shutdown()  # no new requests
        self.api.server.server_close()
        self.profiles.stop()
        self.mail.stop()
        self.sms.stop()
        self.scheduler.stop()  # no new job runs; a running one finishes before the drain
        self.scheduler.join(timeout=60)
        deadline = time.time() + 60
        while not self.snapshot():  # waits until the streams are drained
            if int(time.time() * 5) % 25 == 0:
                log.info("draining: %s", [(w.fn_name, len(w.pending), w.idle.is_set(), w.last_seq,
                                            self._last_sequence(w.arn)) for w in self.workers])
            if time.time() > deadline:
                log.warning("streams still busy after 60 s: the last changes are not saved")
                break
            time.sleep(0.2)
        for w in self.workers:
            w.stop()
        self.scheduler.stop()
        self.site.stop()
        self.aws.stop()
        if self.outputs_path.exists():
            self.outputs_path.unlink()


def _train_dealer_models(event: dict, context: object) -> dict:
    """The training function's handler, imported (with LightGBM) only when the schedule first runs it."""
    from training.cars.job import handler

    return handler(event, context)


def main(argv=None) -> int:
    from . import memory_profile

    memory_profile.start_from_env()  # a debug aid, off unless TALLY_MEMORY_PROFILE is set
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    args = parse_args(argv)
    stack = Stack(args)
    done = threading.Event()

    def on_signal(*_) -> None:
        if done.is_set():  # a second Ctrl-C: leave now, without the final snapshot
            print("Stopping now: the last seconds of changes are not saved.", flush=True)
            os._exit(130)
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    out = stack.start()
    print(f"""
Tally is running.
  Dashboard   {out['dashboard_url']}
  API         {out['api_url']}   (health: {out['api_url']}/health)
  Mail outbox {out['outbox_page']}   (JSON: {out['outbox_url']})
  AWS (moto)  {out['aws_endpoint_url']}
  Demo sign-in: {out['demo_email']} / {out['demo_password']}
Outputs in {stack.outputs_path}. Ctrl-C stops.
""", flush=True)
    # A timed wait, not done.wait(): the kernel may deliver SIGINT to any thread, and Python runs the
    # handler only when the main thread next runs bytecode; an untimed wait never returned (seen once
    # in bench/local_stack.py: the first Ctrl-C did nothing for minutes, the second stopped the stack).
    while not done.wait(0.5):
        pass
    print("Stopping: draining streams and saving state...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


def exit_now(code: int) -> None:
    """Leave without the interpreter's teardown. Everything is saved by now; what remains is
    freeing every object of moto's backends one by one and joining threads left behind by
    libraries (a thread pool's atexit join), which took minutes after a long session."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
