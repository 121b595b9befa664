"""Server side of the empo2 JSON-lines bridge, protocol version 1 (src/spec/env.ts).

One JSON object per line on stdin (requests) and stdout (responses). Anything a simulator prints is
redirected to stderr so that stdout carries protocol lines only. An adapter implements
`tasks() -> list[dict]`, `reset(task, variant, seed) -> dict` and `step(action) -> dict` with the
fields of ResetResult / StepResult, and calls `serve(adapter)`.

An exception from the adapter becomes an `error` answer to that request and the server goes on. An
adapter that cannot go on (its simulator is gone) raises `Fatal`: the server then answers with an
`error` whose id is null, which the client takes as the child being unusable (it kills it and starts
a fresh one at the next reset), and exits with status 3.
"""
import json
import os
import sys

VERSION = 1
_out = sys.stdout
sys.stdout = sys.stderr  # simulators that print must not corrupt the protocol


def _send(obj):
    _out.write(json.dumps(obj) + "\n")
    _out.flush()


class Fatal(Exception):
    """The adapter cannot go on: the server reports it with id null and exits (status 3)."""


def clamp_score(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(100.0, x))


def scalar_info(d):
    """Keep only JSON scalars (the EnvInfo codec)."""
    return {str(k): v for k, v in (d or {}).items() if isinstance(v, (str, int, float, bool)) or v is None}


def serve(adapter):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError:
            _send({"v": VERSION, "id": None, "type": "error", "message": "not JSON"})
            continue
        rid = req.get("id") if isinstance(req.get("id"), int) else None
        if req.get("v") != VERSION:
            _send({"v": VERSION, "id": rid, "type": "error", "message": "unsupported protocol version %r" % req.get("v")})
            continue
        try:
            kind = req.get("type")
            if kind == "tasks":
                _send({"v": VERSION, "id": rid, "type": "tasks", "tasks": adapter.tasks()})
            elif kind == "reset":
                _send({"v": VERSION, "id": rid, "type": "reset",
                       "result": adapter.reset(req["task"], int(req["variant"]), int(req["seed"]))})
            elif kind == "step":
                _send({"v": VERSION, "id": rid, "type": "step", "result": adapter.step(str(req["action"]))})
            elif kind == "close":
                getattr(adapter, "close", lambda: None)()
                _send({"v": VERSION, "id": rid, "type": "closed"})
                return
            else:
                _send({"v": VERSION, "id": rid, "type": "error", "message": "unknown request type %r" % kind})
        except Fatal as e:  # the client kills this child and starts a fresh one
            _send({"v": VERSION, "id": None, "type": "error", "message": str(e)})
            sys.stderr.flush()
            os._exit(3)  # no cleanup: it would talk to what is gone
        except Exception as e:  # the episode ends on the client side; the server stays up
            _send({"v": VERSION, "id": rid, "type": "error", "message": "%s: %s" % (type(e).__name__, e)})
