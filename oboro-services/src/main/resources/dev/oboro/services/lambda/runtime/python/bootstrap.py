# Oboro's Python runtime for Lambda: loads the function's handler and serves invocations through
# the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as AWS's Python runtime interface client does.
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, _, PORT = API.rpartition(":")
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
OPT = os.environ.get("OBORO_LAMBDA_OPT")
DONE = "\x00oboro-invocation-done\x00\n"
BASE = "/2018-06-01/runtime"

# The search path Lambda documents: the task root, then the layers' python directories.
paths = [TASK_ROOT]
if OPT:
    paths += [os.path.join(OPT, "python", "lib", "python%d.%d" % sys.version_info[:2], "site-packages"),
              os.path.join(OPT, "python")]
sys.path[0:1] = paths
os.chdir(TASK_ROOT)

class _Response:
    def __init__(self, status, headers, body):
        self.status = status
        self._headers = headers

    def getheader(self, name):
        return self._headers.get(name.lower())


class _Connection:
    """HTTP/1.1 with keep-alive to the Runtime API. Not http.client: importing it (and the email
    package it pulls in) is a large part of a cold start, and the Runtime API needs little."""

    def __init__(self):
        self.sock = socket.create_connection((HOST, int(PORT)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("the Runtime API closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def request(self, method, path, body, headers):
        body = body or b""
        head = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % API, "Content-Length: %d" % len(body)]
        head += ["%s: %s" % kv for kv in headers.items()]
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status = int(self._line().split(b" ", 2)[1])
        fields = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                data += self._take(size)
                self._take(2)
        else:
            data = self._take(int(fields.get("content-length", "0")))
        return _Response(status, fields, data), data


_conn = _Connection()


def call(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        try:
            return _conn.request(method, BASE + path, body, headers or {})
        except (OSError, ValueError, IndexError):
            if attempt:
                raise
            _conn.close()
            _conn = _Connection()


_request_id = ""


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class _Formatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs


_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(_Formatter("[%(levelname)s]\t%(asctime)s\t%(aws_request_id)s\t%(message)s\n"))
_handler.addFilter(_RequestIdFilter())
logging.getLogger().addHandler(_handler)


class Context:
    def __init__(self, request_id, deadline_ms, arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = json.loads(client_context) if client_context else None
        self.identity = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()


class _InitError(Exception):
    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.doc = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []}


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        raise _InitError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, e))
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise _InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise _InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e),
                         traceback.format_list(traceback.extract_tb(e.__traceback__)))
    except Exception as e:
        raise _InitError(type(e).__name__, str(e), traceback.format_list(traceback.extract_tb(e.__traceback__)))
    fn = getattr(module, function_name, None)
    if fn is None:
        raise _InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return fn


def log_error(doc):
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])]
    if doc.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in doc["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")


def main():
    global _request_id
    init_error = None
    try:
        handler = load_handler()
    except _InitError as e:
        init_error = e.doc
        log_error(init_error)
        handler = None
    while True:
        r, body = call("GET", "/invocation/next")
        if r.status != 200:
            sys.exit(1)
        _request_id = r.getheader("Lambda-Runtime-Aws-Request-Id")
        os.environ["_X_AMZN_TRACE_ID"] = r.getheader("Lambda-Runtime-Trace-Id") or ""
        ctx = Context(_request_id, int(r.getheader("Lambda-Runtime-Deadline-Ms") or 0),
                      r.getheader("Lambda-Runtime-Invoked-Function-Arn"), r.getheader("Lambda-Runtime-Client-Context"))
        error = None
        result = None
        if init_error is not None:
            error = dict(init_error, requestId=_request_id)
        else:
            try:
                event = json.loads(body) if body else {}
                value = handler(event, ctx)
            except Exception as e:
                error = {"errorMessage": str(e), "errorType": type(e).__name__, "requestId": _request_id,
                         "stackTrace": traceback.format_list(traceback.extract_tb(e.__traceback__)[1:])}
            else:
                try:
                    result = json.dumps(value).encode("utf-8")
                except (TypeError, ValueError) as e:
                    error = {"errorMessage": "Unable to marshal response: %s" % e, "errorType": "Runtime.MarshalError",
                             "requestId": _request_id, "stackTrace": []}
            if error is not None:
                log_error(error)
        sys.stdout.flush()
        sys.__stdout__.write(DONE)
        sys.__stdout__.flush()
        if error is None:
            call("POST", "/invocation/%s/response" % _request_id, result)
        else:
            call("POST", "/invocation/%s/error" % _request_id, json.dumps(error).encode("utf-8"),
                 {"Lambda-Runtime-Function-Error-Type": error["errorType"], "Content-Type": "application/json"})


if __name__ == "__main__":
    main()
