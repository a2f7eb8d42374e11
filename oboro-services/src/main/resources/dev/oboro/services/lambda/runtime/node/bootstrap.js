// Oboro's Node.js runtime for Lambda: loads the function's handler and serves invocations through
// the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as AWS's Node.js runtime interface client does.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const url = require('url');
const util = require('util');
const { Writable } = require('stream');

const [HOST, PORT] = (() => { const a = process.env.AWS_LAMBDA_RUNTIME_API; const i = a.lastIndexOf(':'); return [a.slice(0, i), +a.slice(i + 1)]; })();
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
const DONE = '\u0000oboro-invocation-done\u0000\n';
const BASE = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, method, path: BASE + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// console output as Lambda writes it: timestamp, request id, level, message.
let requestId = undefined;
for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[name] = (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...args)}\n`);
  };
}

// ---------------------------------------------------------------- response streaming
// The `awslambda` global of Lambda's Node.js runtime. A handler wrapped by streamifyResponse gets a
// writable response stream; the runtime posts it to the Runtime API as it is written (chunked, with
// Lambda-Runtime-Function-Response-Mode: streaming) and reports a failure after the stream began in
// the trailers Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body (base64).
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

class ResponseStream extends Writable {
  constructor(requestId, options) {
    super(options);
    this._requestId = requestId;
    this._contentType = 'application/octet-stream';
    this._request = null;
    this._response = null;
  }

  setContentType(contentType) {
    if (this._request) throw Object.assign(new Error('Cannot set content-type, too late.'), { name: 'InvalidStreamingOperation' });
    this._contentType = contentType;
  }

  // opens the streamed POST on the first write (or at the end), after what HttpResponseStream.from writes first
  _open() {
    if (this._request) return this._request;
    this._response = new Promise((resolve, reject) => {
      this._request = http.request({ host: HOST, port: PORT, method: 'POST', path: `${BASE}/invocation/${this._requestId}/response`, agent,
        headers: { 'Content-Type': this._contentType, 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked',
          Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      this._request.on('error', reject);
    });
    const before = this._onBeforeFirstWrite;
    this._onBeforeFirstWrite = undefined;
    if (typeof before === 'function') before((chunk) => this._request.write(chunk));
    return this._request;
  }

  _write(chunk, encoding, callback) {
    this._open().write(chunk, encoding, callback);
  }

  _final(callback) {
    this._open();
    callback();
  }

  // ends the POST: with the error in the trailers when the handler failed
  async complete(error) {
    const req = this._open();
    if (error !== undefined) {
      req.addTrailers({ 'Lambda-Runtime-Function-Error-Type': error.errorType,
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64') });
    }
    req.end();
    await this._response;
  }
}

class HttpResponseStream {
  // Lambda's application/vnd.awslambda.http-integration-response: a JSON prelude, 8 null bytes, then the body
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType('application/vnd.awslambda.http-integration-response');
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    if (options && typeof options.highWaterMark === 'number') handler[HIGH_WATER_MARK] = options.highWaterMark;
    return handler;
  },
  HttpResponseStream,
};

function errorDoc(err) {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack || '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const dot = spec.indexOf('.');
  if (dot < 0) throw Object.assign(new Error(`Bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const moduleName = spec.slice(0, dot);
  const fnPath = spec.slice(dot + 1).split('.');
  const base = path.resolve(TASK_ROOT, moduleName);
  let mod;
  const file = ['.js', '.mjs', '.cjs'].map((e) => base + e).find((f) => fs.existsSync(f));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`), { name: 'Runtime.ImportModuleError' });
  }
  if (file.endsWith('.mjs')) {
    mod = await import(url.pathToFileURL(file).href);
  } else {
    try {
      mod = require(file);
    } catch (e) {
      if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(url.pathToFileURL(file).href);
      else throw e;
    }
  }
  let fn = mod;
  for (const p of fnPath) fn = fn == null ? undefined : fn[p];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function invokeHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e);
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === 'function') r.then((v) => callback(null, v), (e) => callback(e));
      else if (handler.length < 3) callback(null, r);
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const doc = errorDoc(e);
    process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(doc)}\n`);
    await call('POST', '/init/error', JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': doc.errorType, 'Content-Type': 'application/json' });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) process.exit(1);
    requestId = next.headers['lambda-runtime-aws-request-id'];
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    const deadline = +next.headers['lambda-runtime-deadline-ms'];
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: next.headers['lambda-runtime-client-context'] ? JSON.parse(next.headers['lambda-runtime-client-context']) : undefined,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    if (handler[STREAMING] === 'response') {
      const stream = new ResponseStream(requestId, handler[HIGH_WATER_MARK] ? { highWaterMark: handler[HIGH_WATER_MARK] } : undefined);
      let error;
      try {
        const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
        await handler(event, stream, context);
        if (!stream.writableEnded) stream.end();
        if (!stream.writableFinished) await new Promise((resolve, reject) => { stream.once('finish', resolve); stream.once('error', reject); });
      } catch (e) {
        error = errorDoc(e);
        process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}\n`);
      }
      process.stdout.write(DONE);
      await stream.complete(error);
      continue;
    }
    let result;
    let error;
    try {
      const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
      const value = await invokeHandler(handler, event, context);
      result = value === undefined ? 'null' : JSON.stringify(value);
    } catch (e) {
      error = errorDoc(e);
      process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}\n`);
    }
    process.stdout.write(DONE);
    if (error === undefined) {
      await call('POST', `/invocation/${requestId}/response`, result, { 'Content-Type': 'application/json' });
    } else {
      await call('POST', `/invocation/${requestId}/error`, JSON.stringify(error),
        { 'Lambda-Runtime-Function-Error-Type': error.errorType, 'Content-Type': 'application/json' });
    }
  }
}

main();
