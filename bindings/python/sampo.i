/*
 * sampo.i - SWIG interface of libsampo for Python: the extension module
 * sampo._sampo.  The Pythonic API is the pure Python package around it
 * (sampo/__init__.py); this module stays close to sampo.h:
 *
 *  - the constants and context-free functions of sampo.h, as they are
 *    (SAMPO_E_*, SAMPO_OPT_*, SAMPO_CNT_*, sampo_strerror(), ...);
 *  - class Context: one sampo_ctx, created by the constructor, destroyed
 *    with the Python object (or by close()).  Its methods are the
 *    sampo_ctx_* functions; structs come back as dicts, flows as
 *    "SRC:PORT-DST:PORT" strings, and a negative status raises
 *    sampo.Error(code, message);  (Not wrapped: the event callback and
 *    custom allocators.)
 *  - Context.read_pcap(): a capture file read, sampled and fed in C
 *    (pcapread.c) with the GIL released.
 *
 * Events are drained from the library after every call that can emit them
 * and kept in the Context (pyctx.c), so that the library's own memory is
 * the same as under sampo-cli.
 *
 * Built with -builtin: Context is a real extension type, and the module
 * needs no generated Python proxy.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
%define SAMPO_DOCSTRING
"Low-level binding of libsampo (sampo.h); use the sampo package instead."
%enddef
%module(package="sampo", docstring=SAMPO_DOCSTRING) sampo

%{
#define SWIG_FILE_WITH_INIT
#include <string.h>

#include "sampo.h"
#include "pyctx.h"
#include "pcapread.h"

/* ---- sampo.Error ---------------------------------------------------------- */

/* sampo._errors._make(code, message, errno): the exception to raise. */
static PyObject *sampo_py_make_error;

static PyObject *sampo_py_raise(int code, const char *detail, int sys_errno)
{
    PyObject *exc;

    if (sampo_py_make_error == NULL) {
        PyObject *m = PyImport_ImportModule("sampo._errors");
        if (m == NULL)
            return NULL;
        sampo_py_make_error = PyObject_GetAttrString(m, "_make");
        Py_DECREF(m);
        if (sampo_py_make_error == NULL)
            return NULL;
    }
    exc = PyObject_CallFunction(sampo_py_make_error, "isi", code, detail ? detail : "",
                                sys_errno);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* Raise for a failed call on a context, with the library's detail. */
static PyObject *sampo_py_raise_ctx(const struct sampo_py_ctx *c, int code)
{
    return sampo_py_raise(code, c->ctx ? sampo_ctx_last_error(c->ctx) : "", 0);
}

/* May the context be used now?  Raises sampo.Error when not. */
static int sampo_py_ready(const struct sampo_py_ctx *c)
{
    if (c->busy) {
        sampo_py_raise(SAMPO_E_INVAL, "the context is in use by another thread", 0);
        return 0;
    }
    if (c->ctx == NULL) {
        sampo_py_raise(SAMPO_E_INVAL, "the context is closed", 0);
        return 0;
    }
    return 1;
}

/* ---- structs to Python ------------------------------------------------------ */

static PyObject *sampo_py_flow(const sampo_flow *f)
{
    char buf[128];

    if ((f->family != 4 && f->family != 6) || sampo_flow_format(f, buf, sizeof buf) < 0)
        Py_RETURN_NONE;
    return PyUnicode_FromString(buf);
}

static PyObject *sampo_py_subflow(const sampo_subflow_info *s)
{
    return Py_BuildValue(
        "{s:K,s:K,s:N,s:O,s:B,s:O,s:O,s:O,s:O,s:O,s:(BB),s:(hh),s:i,s:d,s:(KK),s:(KK),"
        "s:(KK),s:(KK),s:(KK),s:K,s:K,s:k,s:i,s:(KK),s:(KK)}",
        "id", (unsigned long long)s->subflow_id,
        "session", (unsigned long long)s->session_id,
        "flow", sampo_py_flow(&s->flow),
        "initiator_known", s->initiator_known ? Py_True : Py_False,
        "version", s->mptcp_version,
        "is_initial", s->is_initial ? Py_True : Py_False,
        "is_join", s->is_join ? Py_True : Py_False,
        "backup", s->backup ? Py_True : Py_False,
        "fallback", s->fallback ? Py_True : Py_False,
        "closed", s->closed ? Py_True : Py_False,
        "dsn_bits", s->dsn_bits[0], s->dsn_bits[1],
        "addr_id", s->addr_id[0], s->addr_id[1],
        "method", (int)s->method,
        "confidence", s->confidence,
        "packets", (unsigned long long)s->packets[0], (unsigned long long)s->packets[1],
        "bytes", (unsigned long long)s->bytes[0], (unsigned long long)s->bytes[1],
        "dss_packets", (unsigned long long)s->dss_packets[0],
        (unsigned long long)s->dss_packets[1],
        "dsn_lo", (unsigned long long)s->dsn_lo[0], (unsigned long long)s->dsn_lo[1],
        "dsn_hi", (unsigned long long)s->dsn_hi[0], (unsigned long long)s->dsn_hi[1],
        "first_ns", (unsigned long long)s->first_ns,
        "last_ns", (unsigned long long)s->last_ns,
        "reinjections", (unsigned long)s->reinjections,
        "close_reason", s->close_reason,
        "est_packets", (unsigned long long)s->est_packets[0], (unsigned long long)s->est_packets[1],
        "est_bytes", (unsigned long long)s->est_bytes[0], (unsigned long long)s->est_bytes[1]);
}

static PyObject *sampo_py_session(const sampo_session_info *s)
{
    return Py_BuildValue(
        "{s:K,s:I,s:B,s:(OO),s:O,s:i,s:d,s:(II),s:K,s:K,s:K,s:K,s:i,s:K,s:K}",
        "id", (unsigned long long)s->session_id,
        "n_subflows", (unsigned int)s->n_subflows,
        "version", s->mptcp_version,
        "keys_known", (s->keys_known & 1) ? Py_True : Py_False,
        (s->keys_known & 2) ? Py_True : Py_False,
        "closed", s->closed ? Py_True : Py_False,
        "method", (int)s->method,
        "confidence", s->confidence,
        "token", (unsigned int)s->token[0], (unsigned int)s->token[1],
        "first_ns", (unsigned long long)s->first_ns,
        "last_ns", (unsigned long long)s->last_ns,
        "packets", (unsigned long long)s->packets,
        "bytes", (unsigned long long)s->bytes,
        "close_reason", s->close_reason,
        "est_packets", (unsigned long long)s->est_packets,
        "est_bytes", (unsigned long long)s->est_bytes);
}

static PyObject *sampo_py_event(const sampo_event *e)
{
    PyObject *addr;

    if (e->addr_family == 4)
        addr = PyBytes_FromStringAndSize((const char *)e->addr, 4);
    else if (e->addr_family == 6)
        addr = PyBytes_FromStringAndSize((const char *)e->addr, 16);
    else
        addr = (Py_INCREF(Py_None), Py_None);
    if (addr == NULL)
        return NULL;
    return Py_BuildValue(
        "{s:i,s:K,s:K,s:K,s:N,s:N,s:i,s:d,s:i,s:i,s:i,s:B,s:B,s:O,s:O,s:B,s:N,s:H,s:K}",
        "type", (int)e->type,
        "ts_ns", (unsigned long long)e->ts_ns,
        "session", (unsigned long long)e->session_id,
        "other_session", (unsigned long long)e->other_session_id,
        "flow", sampo_py_flow(&e->flow),
        "peer", sampo_py_flow(&e->peer),
        "method", (int)e->method,
        "confidence", e->confidence,
        "verdict", (int)e->verdict,
        "old_verdict", (int)e->old_verdict,
        "reason", e->reason,
        "version", e->mptcp_version,
        "addr_id", e->addr_id,
        "backup", e->backup ? Py_True : Py_False,
        "echo", e->echo ? Py_True : Py_False,
        "tcprst_reason", e->tcprst_reason,
        "addr", addr,
        "addr_port", (unsigned short)e->addr_port,
        "dsn", (unsigned long long)e->dsn);
}

static PyObject *sampo_py_pair(const sampo_pair_info *p)
{
    return Py_BuildValue("{s:(KK),s:(NN),s:i,s:i,s:d,s:k,s:K}",
                         "subflow_id", (unsigned long long)p->subflow_id[0],
                         (unsigned long long)p->subflow_id[1],
                         "flow", sampo_py_flow(&p->flow[0]), sampo_py_flow(&p->flow[1]),
                         "verdict", (int)p->verdict,
                         "method", (int)p->method,
                         "confidence", p->confidence,
                         "reinjections", (unsigned long)p->reinjections,
                         "updated_ns", (unsigned long long)p->updated_ns);
}

/* "SRC:PORT-DST:PORT" to a flow; raises sampo.Error(SAMPO_E_INVAL). */
static int sampo_py_parse_flow(const char *text, sampo_flow *out)
{
    memset(out, 0, sizeof *out);
    if (sampo_flow_parse(text, out) != SAMPO_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "not a flow SRC:PORT-DST:PORT: '%.200s'", text);
        sampo_py_raise(SAMPO_E_INVAL, msg, 0);
        return -1;
    }
    return 0;
}

static PyObject *sampo_py_read_result(const struct sampo_py_read_result *r)
{
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:i,s:O,s:s}",
                         "packets_read", (unsigned long long)r->packets_read,
                         "packets_sampled", (unsigned long long)r->packets_sampled,
                         "packets_undecodable", (unsigned long long)r->packets_undecodable,
                         "packets_not_tcp", (unsigned long long)r->packets_not_tcp,
                         "rates_clamped", (unsigned long long)r->rates_clamped,
                         "linktype", r->linktype,
                         "truncated", r->truncated ? Py_True : Py_False,
                         "error", r->error);
}

typedef struct sampo_py_ctx sampo_py_ctx;
%}

%include <stdint.i>

/* Any call that left a Python exception set fails. */
%exception {
    $action
    if (PyErr_Occurred())
        SWIG_fail;
}

/* ---- sampo.h: constants and context-free functions --------------------------- */

/* The context functions are Context's methods; the structs are dicts. */
%rename("$ignore", regextarget=1, fullname=1) "^sampo_ctx_";
%ignore sampo_ctx;
%ignore sampo_allocator;
%ignore sampo_bounds;
%ignore sampo_packet;
%ignore sampo_flow;
%ignore sampo_event;
%ignore sampo_subflow_info;
%ignore sampo_session_info;
%ignore sampo_pair_info;
%ignore sampo_event_cb;
/* Replaced below by functions that take and return Python values. */
%ignore sampo_option_bounds;
%ignore sampo_flow_format;
%ignore sampo_flow_parse;
%ignore sampo_key_token;

%include "sampo.h"

%{
/* option_bounds(opt) -> {"type", "name", "min", "max", "default"} */
static PyObject *sampo_py_option_bounds(int opt)
{
    sampo_bounds b;
    int rc;

    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    rc = sampo_option_bounds((sampo_option)opt, &b);
    if (rc != SAMPO_OK)
        return sampo_py_raise(rc, "unknown option", 0);
    if (b.type == SAMPO_OPTTYPE_REAL)
        return Py_BuildValue("{s:s,s:s,s:d,s:d,s:d}", "type", "real", "name", b.name, "min",
                             b.rmin, "max", b.rmax, "default", b.rdefault);
    return Py_BuildValue("{s:s,s:s,s:L,s:L,s:L}", "type", "int", "name", b.name, "min",
                         (long long)b.imin, "max", (long long)b.imax, "default",
                         (long long)b.idefault);
}

/* flow_parse("SRC:PORT-DST:PORT") -> (family, src, src_port, dst, dst_port),
 * addresses as 4 or 16 bytes. */
static PyObject *sampo_py_flow_parse(const char *text)
{
    sampo_flow f;
    int alen;

    if (sampo_py_parse_flow(text, &f) != 0)
        return NULL;
    alen = f.family == 4 ? 4 : 16;
    return Py_BuildValue("(iy#Hy#H)", (int)f.family, (const char *)f.src, (Py_ssize_t)alen,
                         f.src_port, (const char *)f.dst, (Py_ssize_t)alen, f.dst_port);
}

/* flow_format(family, src, src_port, dst, dst_port) -> "SRC:PORT-DST:PORT" */
static PyObject *sampo_py_flow_format(int family, PyObject *src, int src_port, PyObject *dst,
                                      int dst_port)
{
    sampo_flow f;
    char buf[128], *s, *d;
    Py_ssize_t slen, dlen, alen = family == 4 ? 4 : 16;

    memset(&f, 0, sizeof f);
    if ((family != 4 && family != 6) || src_port < 0 || src_port > 65535 || dst_port < 0 ||
        dst_port > 65535)
        return sampo_py_raise(SAMPO_E_INVAL, "family must be 4 or 6, ports 0 to 65535", 0);
    if (PyBytes_AsStringAndSize(src, &s, &slen) != 0 ||
        PyBytes_AsStringAndSize(dst, &d, &dlen) != 0)
        return NULL;
    if (slen != alen || dlen != alen)
        return sampo_py_raise(SAMPO_E_INVAL, "addresses must be 4 (IPv4) or 16 (IPv6) bytes",
                              0);
    f.family = (uint8_t)family;
    f.src_port = (uint16_t)src_port;
    f.dst_port = (uint16_t)dst_port;
    memcpy(f.src, s, (size_t)alen);
    memcpy(f.dst, d, (size_t)alen);
    if (sampo_flow_format(&f, buf, sizeof buf) < 0)
        return sampo_py_raise(SAMPO_E_NOSPACE, "", 0);
    return PyUnicode_FromString(buf);
}

/* key_token(key, version) -> (token, idsn) */
static PyObject *sampo_py_key_token(unsigned long long key, int version)
{
    uint32_t token = 0;
    uint64_t idsn = 0;
    int rc = sampo_key_token((uint64_t)key, version, &token, &idsn);

    if (rc != SAMPO_OK)
        return sampo_py_raise(rc, "version must be 0 or 1", 0);
    return Py_BuildValue("(kK)", (unsigned long)token, (unsigned long long)idsn);
}
%}

%rename(option_bounds) sampo_py_option_bounds;
%rename(flow_parse) sampo_py_flow_parse;
%rename(flow_format) sampo_py_flow_format;
%rename(key_token) sampo_py_key_token;
PyObject *sampo_py_option_bounds(int opt);
PyObject *sampo_py_flow_parse(const char *text);
PyObject *sampo_py_flow_format(int family, PyObject *src, int src_port, PyObject *dst,
                               int dst_port);
PyObject *sampo_py_key_token(unsigned long long key, int version);

/* ---- Context ------------------------------------------------------------------ */

/* feed(): any object with the buffer protocol (bytes, bytearray, memoryview). */
%typemap(in) (const void *data, size_t len) (Py_buffer view, int got = 0) {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) != 0)
        SWIG_fail;
    got = 1;
    $1 = view.buf;
    $2 = (size_t)view.len;
}
%typemap(freearg) (const void *data, size_t len) {
    if (got$argnum)
        PyBuffer_Release(&view$argnum);
}

/* read_pcap(): a path as str, bytes or os.PathLike. */
%typemap(in) const char *path (PyObject *enc = NULL) {
    if (!PyUnicode_FSConverter($input, &enc))
        SWIG_fail;
    $1 = PyBytes_AS_STRING(enc);
}
%typemap(freearg) const char *path {
    Py_XDECREF(enc$argnum);
}

/* read_pcap(): the counts come back as a dict; a failure raises. */
%typemap(in, numinputs=0) struct sampo_py_read_result *res (struct sampo_py_read_result tmp) {
    memset(&tmp, 0, sizeof tmp);
    $1 = &tmp;
}
%typemap(out) int read_pcap "";
%typemap(argout) struct sampo_py_read_result *res {
    if (result < 0) {
        sampo_py_raise(result, $1->error, $1->sys_errno);
        SWIG_fail;
    }
    $result = sampo_py_read_result($1);
    if ($result == NULL)
        SWIG_fail;
}

/* The capture is read with the GIL released; the context is marked busy
 * meanwhile, so that another thread's calls on it fail instead of racing. */
%exception sampo_py_ctx::read_pcap {
    if (!sampo_py_ready(arg1))
        SWIG_fail;
    arg1->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    $action
    Py_END_ALLOW_THREADS
    arg1->busy = 0;
}

%feature("docstring") sampo_py_ctx "Context() -> one libsampo analysis context (sampo_ctx)";
%rename(Context) sampo_py_ctx;
struct sampo_py_ctx {
    %extend {
        sampo_py_ctx()
        {
            struct sampo_py_ctx *c = calloc(1, sizeof *c);
            int rc;

            if (c == NULL) {
                PyErr_NoMemory();
                return NULL;
            }
            rc = sampo_py_open(c);
            if (rc != SAMPO_OK) {
                free(c);
                sampo_py_raise(rc, "cannot create the analysis context", 0);
                return NULL;
            }
            return c;
        }

        ~sampo_py_ctx()
        {
            sampo_py_close($self);
            free($self);
        }

        %feature("docstring") close "close(): destroy the native context now (idempotent)";
        void close()
        {
            if ($self->busy) {
                sampo_py_raise(SAMPO_E_INVAL, "the context is in use by another thread", 0);
                return;
            }
            sampo_py_close($self);
        }

        PyObject *is_closed()
        {
            return PyBool_FromLong($self->ctx == NULL);
        }

        void set_option(int opt, long long value)
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_set_option($self->ctx, (sampo_option)opt, (int64_t)value);
            if (rc != SAMPO_OK)
                sampo_py_raise_ctx($self, rc);
        }

        void set_option_real(int opt, double value)
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_set_option_real($self->ctx, (sampo_option)opt, value);
            if (rc != SAMPO_OK)
                sampo_py_raise_ctx($self, rc);
        }

        PyObject *get_option(int opt)
        {
            int64_t v = 0;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            rc = sampo_ctx_get_option($self->ctx, (sampo_option)opt, &v);
            if (rc != SAMPO_OK)
                return sampo_py_raise(rc, "unknown or real option", 0);
            return PyLong_FromLongLong((long long)v);
        }

        PyObject *get_option_real(int opt)
        {
            double v = 0;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            rc = sampo_ctx_get_option_real($self->ctx, (sampo_option)opt, &v);
            if (rc != SAMPO_OK)
                return sampo_py_raise(rc, "unknown or integer option", 0);
            return PyFloat_FromDouble(v);
        }

        void set_source_rate(uint32_t source_id, uint32_t rate)
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_set_source_rate($self->ctx, source_id, rate);
            if (rc != SAMPO_OK)
                sampo_py_raise(rc, rate == 0 ? "rate must be at least 1" : "", 0);
        }

        %feature("docstring") feed
        "feed(data, ts_ns, linktype, sampling_rate, wirelen, source_id) -> status\n"
        "0 when the packet was decoded, or the negative SAMPO_E_* code telling why\n"
        "it was dropped (counted; not an error).  Raises sampo.Error for\n"
        "SAMPO_E_INVAL and SAMPO_E_NOMEM.";
        int feed(const void *data, size_t len, uint64_t ts_ns, int linktype,
                 uint32_t sampling_rate, uint32_t wirelen, uint32_t source_id)
        {
            sampo_packet p;
            int rc;

            if (!sampo_py_ready($self))
                return 0;
            if (len > UINT32_MAX) {
                sampo_py_raise(SAMPO_E_INVAL, "packet longer than 4 GiB", 0);
                return 0;
            }
            memset(&p, 0, sizeof p);
            p.size = sizeof p;
            p.data = data;
            p.caplen = (uint32_t)len;
            p.wirelen = wirelen;
            p.ts_ns = ts_ns;
            p.linktype = linktype;
            p.sampling_rate = sampling_rate;
            p.source_id = source_id;
            rc = sampo_ctx_feed($self->ctx, &p);
            if (rc == SAMPO_E_INVAL || rc == SAMPO_E_NOMEM)
                sampo_py_raise_ctx($self, rc);
            return rc;
        }

        void advance(uint64_t now_ns)
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_advance($self->ctx, now_ns);
            if (rc != SAMPO_OK)
                sampo_py_raise_ctx($self, rc);
        }

        void flush()
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_flush($self->ctx);
            if (rc != SAMPO_OK)
                sampo_py_raise_ctx($self, rc);
        }

        %feature("docstring") end
        "end(): sampo_ctx_flush_ex(SAMPO_FLUSH_END): every open subflow and session\n"
        "ends and is recorded (ended_sessions()), as at the end of sampo-cli's input";
        void end()
        {
            int rc;

            if (!sampo_py_ready($self))
                return;
            rc = sampo_ctx_flush_ex($self->ctx, SAMPO_FLUSH_END);
            if (rc != SAMPO_OK)
                sampo_py_raise_ctx($self, rc);
        }

        %feature("docstring") next_event "next_event() -> dict, or None when there is none";
        PyObject *next_event()
        {
            sampo_event ev;

            if (!sampo_py_ready($self))
                return NULL;
            if (!sampo_py_pop($self, &ev))
                Py_RETURN_NONE;
            return sampo_py_event(&ev);
        }

        PyObject *pending_events()
        {
            if (!sampo_py_ready($self))
                return NULL;
            return PyLong_FromSize_t(sampo_py_pending($self));
        }

        %feature("docstring") events_dropped
        "events_dropped() -> events dropped from the binding's queue (full at max_events)";
        PyObject *events_dropped()
        {
            return PyLong_FromUnsignedLongLong((unsigned long long)$self->ev_dropped);
        }

        %feature("docstring") lookup
        "lookup(flow) -> subflow dict, or None when the flow is not a tracked subflow";
        PyObject *lookup(const char *flow)
        {
            sampo_subflow_info info;
            sampo_flow f;
            int rc;

            if (!sampo_py_ready($self) || sampo_py_parse_flow(flow, &f) != 0)
                return NULL;
            memset(&info, 0, sizeof info);
            info.size = sizeof info;
            rc = sampo_ctx_lookup($self->ctx, &f, &info);
            if (rc == SAMPO_E_NOTFOUND)
                Py_RETURN_NONE;
            if (rc != SAMPO_OK)
                return sampo_py_raise_ctx($self, rc);
            return sampo_py_subflow(&info);
        }

        %feature("docstring") session "session(id) -> session dict, or None";
        PyObject *session(uint64_t session_id)
        {
            sampo_session_info info;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            memset(&info, 0, sizeof info);
            info.size = sizeof info;
            rc = sampo_ctx_session($self->ctx, session_id, &info);
            if (rc == SAMPO_E_NOTFOUND)
                Py_RETURN_NONE;
            if (rc != SAMPO_OK)
                return sampo_py_raise_ctx($self, rc);
            return sampo_py_session(&info);
        }

        %feature("docstring") next_session
        "next_session(cursor) -> (cursor, session dict), or None at the end; start at 0";
        PyObject *next_session(uint64_t cursor)
        {
            sampo_session_info info;
            uint64_t cur = cursor;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            memset(&info, 0, sizeof info);
            info.size = sizeof info;
            rc = sampo_ctx_next_session($self->ctx, &cur, &info);
            if (rc == 0)
                Py_RETURN_NONE;
            if (rc < 0)
                return sampo_py_raise_ctx($self, rc);
            return Py_BuildValue("(KN)", (unsigned long long)cur, sampo_py_session(&info));
        }

        %feature("docstring") next_subflow
        "next_subflow(session_id, cursor) -> (cursor, subflow dict), or None at the end;\n"
        "session_id 0 walks every tracked subflow.  Start at cursor 0.";
        PyObject *next_subflow(uint64_t session_id, uint64_t cursor)
        {
            sampo_subflow_info info;
            uint64_t cur = cursor;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            memset(&info, 0, sizeof info);
            info.size = sizeof info;
            rc = sampo_ctx_next_subflow($self->ctx, session_id, &cur, &info);
            if (rc == 0)
                Py_RETURN_NONE;
            if (rc < 0)
                return sampo_py_raise_ctx($self, rc);
            return Py_BuildValue("(KN)", (unsigned long long)cur, sampo_py_subflow(&info));
        }

        %feature("docstring") ended_sessions
        "ended_sessions() -> [(session dict, [subflow dict, ...]), ...]: every session\n"
        "that ended (end-of-life records, as sampo-cli writes them), in end order";
        PyObject *ended_sessions()
        {
            PyObject *out, *subs, *t;

            if (!sampo_py_ready($self))
                return NULL;
            if ($self->rec_failed || $self->asm_.failed)
                return sampo_py_raise(SAMPO_E_NOMEM, "end-of-life records were lost: no memory", 0);
            out = PyList_New((Py_ssize_t)$self->n_recs);
            if (out == NULL)
                return NULL;
            for (size_t i = 0; i < $self->n_recs; i++) {
                const struct sampo_py_rec *r = &$self->recs[i];
                subs = PyList_New((Py_ssize_t)r->n);
                if (subs == NULL) {
                    Py_DECREF(out);
                    return NULL;
                }
                for (size_t k = 0; k < r->n; k++)
                    PyList_SET_ITEM(subs, (Py_ssize_t)k, sampo_py_subflow(&r->subs[k]));
                t = Py_BuildValue("(NN)", sampo_py_session(&r->s), subs);
                if (t == NULL) {
                    Py_DECREF(out);
                    return NULL;
                }
                PyList_SET_ITEM(out, (Py_ssize_t)i, t);
            }
            return out;
        }

        %feature("docstring") ended_unassociated
        "ended_unassociated() -> [subflow dict, ...]: subflows that ended in no session";
        PyObject *ended_unassociated()
        {
            PyObject *out;

            if (!sampo_py_ready($self))
                return NULL;
            out = PyList_New((Py_ssize_t)$self->n_unassoc);
            if (out == NULL)
                return NULL;
            for (size_t i = 0; i < $self->n_unassoc; i++)
                PyList_SET_ITEM(out, (Py_ssize_t)i, sampo_py_subflow(&$self->unassoc[i]));
            return out;
        }

        %feature("docstring") ended_of
        "ended_of(session_id) -> [subflow dict, ...]: the ended subflows of an open session";
        PyObject *ended_of(uint64_t session_id)
        {
            const sampo_subflow_info *subs;
            size_t n;
            PyObject *out;

            if (!sampo_py_ready($self))
                return NULL;
            n = asm_waiting(&$self->asm_, session_id, &subs);
            out = PyList_New((Py_ssize_t)n);
            if (out == NULL)
                return NULL;
            for (size_t i = 0; i < n; i++)
                PyList_SET_ITEM(out, (Py_ssize_t)i, sampo_py_subflow(&subs[i]));
            return out;
        }

        void clear_ended()
        {
            sampo_py_clear_ended($self);
        }

        %feature("docstring") next_pair
        "next_pair(cursor) -> (cursor, pair dict), or None at the end; start at 0.\n"
        "The pair verdicts of the last association run (sampo_ctx_next_pair).";
        PyObject *next_pair(uint64_t cursor)
        {
            sampo_pair_info info;
            uint64_t cur = cursor;
            int rc;

            if (!sampo_py_ready($self))
                return NULL;
            memset(&info, 0, sizeof info);
            info.size = sizeof info;
            rc = sampo_ctx_next_pair($self->ctx, &cur, &info);
            if (rc == 0)
                Py_RETURN_NONE;
            if (rc < 0)
                return sampo_py_raise_ctx($self, rc);
            return Py_BuildValue("(KN)", (unsigned long long)cur, sampo_py_pair(&info));
        }

        PyObject *counter(int counter)
        {
            if (!sampo_py_ready($self))
                return NULL;
            return PyLong_FromUnsignedLongLong(
                (unsigned long long)sampo_ctx_counter($self->ctx, counter));
        }

        %feature("docstring") counters "counters() -> {name: value} of every library counter";
        PyObject *counters()
        {
            PyObject *d, *v;
            const char *name;
            int i;

            if (!sampo_py_ready($self))
                return NULL;
            d = PyDict_New();
            if (d == NULL)
                return NULL;
            for (i = 0; (name = sampo_counter_name(i)) != NULL; i++) {
                v = PyLong_FromUnsignedLongLong(
                    (unsigned long long)sampo_ctx_counter($self->ctx, i));
                if (v == NULL || PyDict_SetItemString(d, name, v) != 0) {
                    Py_XDECREF(v);
                    Py_DECREF(d);
                    return NULL;
                }
                Py_DECREF(v);
            }
            return d;
        }

        const char *last_error()
        {
            return $self->ctx ? sampo_ctx_last_error($self->ctx) : "";
        }

        %feature("docstring") read_pcap
        "read_pcap(path, sample, rate, filter, keep_events, flush) -> dict of counts\n"
        "Read a pcap/pcapng file through libpcap with the GIL released, sample it\n"
        "(None, 'count:N', 'time:USEC' or 'prob:P[:SEED]') and feed it as sampo-cli\n"
        "does; `rate` is the 1-in-N the input was already sampled at (1: not).";
        int read_pcap(const char *path, const char *sample, uint32_t rate, const char *filter,
                      int keep_events, int flush, struct sampo_py_read_result *res)
        {
            int rc;

            $self->keep_events = keep_events; /* read by the event callback */
            rc = sampo_py_read_pcap($self, path, sample, rate, filter, flush, res);
            $self->keep_events = 1;
            return rc;
        }
    }
};
