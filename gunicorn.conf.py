"""gunicorn's settings for the shop's web processes.

Every place that starts gunicorn passes this file (``-c gunicorn.conf.py``): the Docker
image (and so docker-compose.yml), bench/stack.py and the tests over a real gunicorn.
Options on the command line and in ``GUNICORN_CMD_ARGS`` come on top of it.

gunicorn reads the request line and the headers before the shop sees anything, and
refuses what is beyond the limits below itself. They are set generously, above the
shop's own limits (``SHOP_URL_MAX_BYTES``, ``SHOP_HEADER_MAX_BYTES``,
``SHOP_HEADERS_MAX_COUNT`` in the settings), so the shop answers anything it can read,
in its error shape and language. What gunicorn still refuses itself (a request line
over 8190 bytes, a header line over 16380 bytes, more than 100 headers, a request that
is not HTTP) is answered by :func:`error_write` below: the same JSON error shape, in
English (no Django runs yet), without echoing any of the request, instead of
gunicorn's HTML page.
"""

import json
import os
import shutil

from gunicorn import util

# Workers and threads. A checkout waits on the payment provider (Stripe, Alipay, WeChat
# Pay: up to its timeout) inside the request; a sync worker would sit idle through that
# wait. gthread workers take GUNICORN_THREADS requests each, so a slow provider holds a
# thread, not a process; processes (WEB_CONCURRENCY, about one per core) spread the
# Python work over the cores. The numbers are the environment's, for the benchmark
# (bench/README.md) to try others: GUNICORN_WORKER_CLASS=sync, GUNICORN_THREADS=1.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request still running after this many seconds is cut off and its worker restarted;
# the proxy in front gives up a little later (deploy/nginx/shop.conf.template).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Kept-alive connections from the proxy, a little longer than the proxy keeps them.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# The largest request line gunicorn accepts at all (its maximum is 8190).
limit_request_line = 8190
# Twice gunicorn's default per header line: large cookies fit.
limit_request_field_size = 16380
limit_request_fields = 100


def on_starting(server):
    """Request metrics of all workers are gathered in PROMETHEUS_MULTIPROC_DIR (when set):
    emptied here, before any worker starts, so counts of a previous run are not added."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


_ERROR_CODES = {
    400: ("bad_request", "Bad request."),
    403: ("permission_denied", "Permission denied."),
    414: ("uri_too_long", "The URL or its query string is too long."),
    417: ("expectation_failed", "The Expect header cannot be met."),
    431: ("headers_too_large", "The request's headers are too large or too many."),
    500: ("server_error", "Something went wrong on our side."),
    501: ("not_implemented", "That transfer coding is not supported."),
}


def error_write(sock, status_int, reason, mesg):
    """gunicorn's own refusals in the shop's error shape (``util.write_error`` is what
    gunicorn calls for them). ``mesg`` names the part of the request that was refused,
    so it goes to gunicorn's log only, never back to the client."""
    code, message = _ERROR_CODES.get(status_int, ("bad_request", "Bad request."))
    body = json.dumps({"code": code, "message": message, "fields": {}}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


util.write_error = error_write
