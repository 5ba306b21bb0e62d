/* secscore plugin SDK for C: framing, handshake, dispatch, findings, logs.
 * See include/secscore_plugin.h for the API and docs/PROTOCOL.md for the
 * wire format. */
#define _GNU_SOURCE
#include "secscore_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* ---- Small helpers ------------------------------------------------------ */

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        static const char msg[] = "secscore-c: out of memory\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(70);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s ? s : "");
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s ? s : "", n + 1);
    return d;
}

static char *vformat(const char *fmt, va_list ap) {
    /* "%s" is how text of any size is added safely; copying it directly
     * avoids vsnprintf's byte-by-byte counting pass (slow for megabytes). */
    if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '\0') {
        const char *text = va_arg(ap, const char *);
        return xstrdup(text ? text : "(null)");
    }
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return xstrdup("");
    char *s = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

#define GROW(array, count, capacity)                                              \
    do {                                                                          \
        if ((count) == (capacity)) {                                              \
            (capacity) = (capacity) ? (capacity) * 2 : 4;                         \
            (array) = xrealloc((array), (capacity) * sizeof *(array));            \
        }                                                                         \
    } while (0)

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        return w < 0 ? errno : EIO;
    }
    return 0;
}

int secscore_write_frame(int fd, uint8_t type, uint8_t flags, uint32_t request_id,
                         const void *payload, uint32_t length) {
    uint8_t header[SECSCORE_HEADER_BYTES] = {SECSCORE_MAGIC_0, SECSCORE_MAGIC_1, type, flags};
    put_be32(header + 4, request_id);
    put_be32(header + 8, length);
    int rc = write_all(fd, header, sizeof header);
    if (rc == 0 && length > 0) rc = write_all(fd, payload, length);
    return rc;
}

/* ---- Explaining unpack failures ---------------------------------------
 * protobuf-c's unpack returns NULL without a reason (the library is built
 * without PROTOBUF_C_UNPACK_ERROR). Walk the wire format ourselves to say
 * where and why it is malformed. */

static int read_varint(const uint8_t *p, size_t n, size_t *at, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*at >= n) return -1;                 /* truncated */
        uint8_t b = p[(*at)++];
        if (shift == 63 && b > 1) return -2;     /* overflows 64 bits */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *out = v; return 0; }
    }
    return -2;
}

void secscore_explain_unpack_error(const uint8_t *data, size_t length, char *why, size_t why_size) {
    size_t at = 0;
    while (at < length) {
        size_t start = at;
        uint64_t key;
        int r = read_varint(data, length, &at, &key);
        if (r != 0) {
            snprintf(why, why_size, "field key at byte %zu is %s", start, r == -1 ? "cut short" : "an overlong varint");
            return;
        }
        uint64_t field = key >> 3;
        unsigned wire = (unsigned)(key & 7);
        if (field == 0) {
            snprintf(why, why_size, "field number 0 at byte %zu is not allowed", start);
            return;
        }
        uint64_t v;
        switch (wire) {
        case 0:
            if (read_varint(data, length, &at, &v) != 0) {
                snprintf(why, why_size, "varint of field %llu at byte %zu is cut short or overlong",
                         (unsigned long long)field, start);
                return;
            }
            break;
        case 1:
            if (length - at < 8) {
                snprintf(why, why_size, "64-bit field %llu at byte %zu is cut short", (unsigned long long)field, start);
                return;
            }
            at += 8;
            break;
        case 2:
            if (read_varint(data, length, &at, &v) != 0 || v > length - at) {
                snprintf(why, why_size,
                         "length-delimited field %llu at byte %zu claims more bytes than the message has",
                         (unsigned long long)field, start);
                return;
            }
            at += (size_t)v;
            break;
        case 5:
            if (length - at < 4) {
                snprintf(why, why_size, "32-bit field %llu at byte %zu is cut short", (unsigned long long)field, start);
                return;
            }
            at += 4;
            break;
        default:
            snprintf(why, why_size, "field %llu at byte %zu has wire type %u, which is %s",
                     (unsigned long long)field, start, wire, wire == 3 || wire == 4 ? "a group (not used here)" : "invalid");
            return;
        }
    }
    snprintf(why, why_size,
             "%zu bytes are well formed at the top level, so a nested message or a field's type is wrong", length);
}

/* ---- Session ------------------------------------------------------------ */

struct session {
    const secscore_plugin *plugin;
    int in_fd, out_fd;
    uint32_t frame_limit_in, frame_limit_out;
    uint64_t message_limit_in;
    /* The largest message the host accepts (Hello.max_message_bytes). */
    uint64_t message_limit_out;
    int log_level;
    int goaway;
    uint32_t default_timeout_ms;
    uint32_t last_id;
    /* buffered reader */
    uint8_t *rbuf;
    size_t rcap, rstart, rend;
    /* The last message read: `data` points into rbuf for a message of one
     * frame (no copy) or at `msg` where fragments were joined. Valid until
     * the next read_message. */
    const uint8_t *data;
    uint8_t *msg;
    size_t msg_len, msg_cap;
    uint8_t msg_type;
    uint32_t msg_id;
    /* pack buffer */
    uint8_t *out;
    size_t out_cap;
};

static struct session *current_session;

/* Ensures `n` bytes are buffered. Returns 1, 0 on EOF before any byte of
 * them, -1 on EOF or error after some. */
static int need(struct session *s, size_t n) {
    if (s->rend - s->rstart >= n) return 1;
    if (s->rstart > 0) {
        memmove(s->rbuf, s->rbuf + s->rstart, s->rend - s->rstart);
        s->rend -= s->rstart;
        s->rstart = 0;
    }
    if (s->rcap < n) {
        s->rcap = n > s->rcap * 2 ? n : s->rcap * 2;
        s->rbuf = xrealloc(s->rbuf, s->rcap);
    }
    size_t had = s->rend;
    while (s->rend < n) {
        ssize_t r = read(s->in_fd, s->rbuf + s->rend, s->rcap - s->rend);
        if (r > 0) { s->rend += (size_t)r; continue; }
        if (r < 0 && errno == EINTR) continue;
        return (had == 0 && s->rend == 0) ? 0 : -1;
    }
    return 1;
}

static void send_bytes(struct session *s, uint8_t type, uint32_t id, const uint8_t *payload, size_t len) {
    size_t limit = s->frame_limit_out;
    int rc = 0;
    if (len <= limit) {
        /* One frame, one write. */
        if (s->out_cap < SECSCORE_HEADER_BYTES + len) {
            s->out_cap = SECSCORE_HEADER_BYTES + len;
            s->out = xrealloc(s->out, s->out_cap);
        }
        uint8_t *h = s->out;
        h[0] = SECSCORE_MAGIC_0; h[1] = SECSCORE_MAGIC_1; h[2] = type; h[3] = 0;
        put_be32(h + 4, id);
        put_be32(h + 8, (uint32_t)len);
        if (payload != s->out + SECSCORE_HEADER_BYTES && len) memcpy(s->out + SECSCORE_HEADER_BYTES, payload, len);
        rc = write_all(s->out_fd, s->out, SECSCORE_HEADER_BYTES + len);
    } else {
        size_t at = 0;
        while (rc == 0 && at < len) {
            size_t chunk = len - at < limit ? len - at : limit;
            rc = secscore_write_frame(s->out_fd, type, at + chunk < len ? SECSCORE_FLAG_MORE : 0, id,
                                      payload + at, (uint32_t)chunk);
            at += chunk;
        }
    }
    if (rc != 0) {
        /* The host stopped reading: there is nobody left to answer. */
        _exit(0);
    }
}

/* Packs a protobuf-c message of `size` packed bytes straight after the
 * header space and sends it. (Sizing walks every string with strlen: a
 * caller that has sized the message already passes it on.) */
static void send_sized_message(struct session *s, uint8_t type, uint32_t id, const ProtobufCMessage *m, size_t size) {
    if (s->out_cap < SECSCORE_HEADER_BYTES + size) {
        s->out_cap = SECSCORE_HEADER_BYTES + size;
        s->out = xrealloc(s->out, s->out_cap);
    }
    protobuf_c_message_pack(m, s->out + SECSCORE_HEADER_BYTES);
    if (size > s->frame_limit_out) {
        /* Fragmenting writes headers between chunks: copy the payload out. */
        uint8_t *copy = xrealloc(NULL, size);
        memcpy(copy, s->out + SECSCORE_HEADER_BYTES, size);
        send_bytes(s, type, id, copy, size);
        free(copy);
    } else {
        send_bytes(s, type, id, s->out + SECSCORE_HEADER_BYTES, size);
    }
}

static void send_message(struct session *s, uint8_t type, uint32_t id, const ProtobufCMessage *m) {
    send_sized_message(s, type, id, m, protobuf_c_message_get_packed_size(m));
}

static void send_goaway(struct session *s, Secscore__Plugin__V1__Code code, const char *reason) {
    Secscore__Plugin__V1__GoAway g = SECSCORE__PLUGIN__V1__GO_AWAY__INIT;
    g.code = code;
    g.reason = (char *)reason;
    uint32_t majors[1] = {SECSCORE_PROTOCOL_MAJOR};
    g.n_supported_majors = 1;
    g.supported_majors = majors;
    send_message(s, SECSCORE_FRAME_GOAWAY, 0, &g.base);
}

static int protocol_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int protocol_error(struct session *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *why = vformat(fmt, ap);
    va_end(ap);
    char *reason = xrealloc(NULL, strlen(why) + 32);
    sprintf(reason, "protocol error: %s", why);
    send_goaway(s, SECSCORE__PLUGIN__V1__CODE__CODE_INVALID_ARGUMENT, reason);
    fprintf(stderr, "%s: %s\n", SECSCORE_SDK_NAME, reason);
    free(why);
    free(reason);
    return 2;
}

/* Reads one whole message (joining fragments). Returns 1, 0 on clean EOF,
 * or -2 after reporting a protocol error (exit code in *code). */
static int read_message(struct session *s, int *code) {
    s->msg_len = 0;
    int assembling = 0;
    for (;;) {
        int r = need(s, SECSCORE_HEADER_BYTES);
        if (r == 0 && !assembling) return 0;
        if (r <= 0) {
            *code = protocol_error(s, "stdin ended inside a frame");
            return -2;
        }
        const uint8_t *h = s->rbuf + s->rstart;
        if (h[0] != SECSCORE_MAGIC_0 || h[1] != SECSCORE_MAGIC_1) {
            *code = protocol_error(s, "bad frame magic %02x %02x (expected f5 53)", h[0], h[1]);
            return -2;
        }
        uint8_t type = h[2], flags = h[3];
        uint32_t id = get_be32(h + 4), len = get_be32(h + 8);
        if (len > s->frame_limit_in) {
            *code = protocol_error(s, "frame announces %u payload bytes, more than the maximum of %u", len,
                                   s->frame_limit_in);
            return -2;
        }
        if (assembling && (type != s->msg_type || id != s->msg_id)) {
            *code = protocol_error(s, "frame type 0x%02x id %u inside a fragmented message", type, id);
            return -2;
        }
        if ((uint64_t)s->msg_len + len > s->message_limit_in) {
            *code = protocol_error(s, "message grows past the maximum of %llu bytes",
                                   (unsigned long long)s->message_limit_in);
            return -2;
        }
        r = need(s, SECSCORE_HEADER_BYTES + len);
        if (r <= 0) {
            *code = protocol_error(s, "stdin ended inside a frame");
            return -2;
        }
        s->msg_type = type;
        s->msg_id = id;
        if (!assembling && !(flags & SECSCORE_FLAG_MORE)) {
            /* One frame: unpack it where it lies. Copying it out cost a
             * pass over every byte of a large request (BENCHMARKS.md,
             * "1 MiB"); nothing reads stdin again before it is used. */
            s->data = s->rbuf + s->rstart + SECSCORE_HEADER_BYTES;
            s->msg_len = len;
            s->rstart += SECSCORE_HEADER_BYTES + len;
            return 1;
        }
        if (s->msg_cap < s->msg_len + len) {
            s->msg_cap = s->msg_len + len;
            s->msg = xrealloc(s->msg, s->msg_cap);
        }
        memcpy(s->msg + s->msg_len, s->rbuf + s->rstart + SECSCORE_HEADER_BYTES, len);
        s->msg_len += len;
        s->rstart += SECSCORE_HEADER_BYTES + len;
        if (!(flags & SECSCORE_FLAG_MORE)) {
            s->data = s->msg;
            return 1;
        }
        assembling = 1;
    }
}

/* ---- Requests and findings ---------------------------------------------- */

struct secscore_request {
    uint32_t id;
    const Secscore__Plugin__V1__EvaluateRequest *msg;
    const Secscore__Tenant__V1__Facets *facets;
    uint64_t deadline_ns;
    struct session *session;
};

struct secscore_finding {
    int failed;
    secscore_code code;
    char *error_message;
    int status;
    char **insights;
    size_t n_insights, c_insights;
    Secscore__Plugin__V1__Metric **metrics;
    size_t n_metrics, c_metrics;
    Secscore__Plugin__V1__EvidenceItem **items;
    size_t n_items, c_items;
};

struct secscore_item {
    Secscore__Plugin__V1__EvidenceItem pb;
    size_t c_reasons, c_attributes;
};

static const Secscore__Tenant__V1__Facets empty_facets = SECSCORE__TENANT__V1__FACETS__INIT;

uint32_t secscore_request_id(const secscore_request *req) { return req->id; }
const char *secscore_request_requirement(const secscore_request *req) { return req->msg->requirement_id; }

const Secscore__Plugin__V1__EvaluationContext *secscore_request_context(const secscore_request *req) {
    static const Secscore__Plugin__V1__EvaluationContext empty = SECSCORE__PLUGIN__V1__EVALUATION_CONTEXT__INIT;
    return req->msg->context ? req->msg->context : &empty;
}

const Secscore__Tenant__V1__Facets *secscore_request_facets(const secscore_request *req) { return req->facets; }

const char *secscore_request_parameter(const secscore_request *req, const char *name, size_t index) {
    for (size_t i = 0; i < req->msg->n_parameters; i++) {
        const Secscore__Plugin__V1__Parameter *p = req->msg->parameters[i];
        if (strcmp(p->name, name) != 0) continue;
        if (index < p->n_values) return p->values[index];
        index -= p->n_values;
    }
    return NULL;
}

int secscore_request_expired(const secscore_request *req) { return now_ns() >= req->deadline_ns; }

void secscore_finding_set_status(secscore_finding *out, secscore_status status) { out->status = (int)status; }

void secscore_finding_add_insight(secscore_finding *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    GROW(out->insights, out->n_insights, out->c_insights);
    out->insights[out->n_insights++] = vformat(fmt, ap);
    va_end(ap);
}

void secscore_finding_add_metric(secscore_finding *out, const char *name, double value, const char *unit) {
    Secscore__Plugin__V1__Metric *m = xrealloc(NULL, sizeof *m);
    secscore__plugin__v1__metric__init(m);
    m->name = xstrdup(name);
    m->value = value;
    m->unit = xstrdup(unit ? unit : "");
    GROW(out->metrics, out->n_metrics, out->c_metrics);
    out->metrics[out->n_metrics++] = m;
}

secscore_item *secscore_finding_add_item(secscore_finding *out, const char *kind, const char *id,
                                         const char *name, const char *status) {
    secscore_item *item = xrealloc(NULL, sizeof *item);
    memset(item, 0, sizeof *item);
    secscore__plugin__v1__evidence_item__init(&item->pb);
    item->pb.kind = xstrdup(kind);
    item->pb.id = xstrdup(id);
    item->pb.name = xstrdup(name);
    item->pb.status = xstrdup(status);
    GROW(out->items, out->n_items, out->c_items);
    out->items[out->n_items++] = &item->pb;
    return item;
}

void secscore_item_add_reason(secscore_item *item, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    GROW(item->pb.reasons, item->pb.n_reasons, item->c_reasons);
    item->pb.reasons[item->pb.n_reasons++] = vformat(fmt, ap);
    va_end(ap);
}

void secscore_item_add_attribute(secscore_item *item, const char *name, const char *value) {
    Secscore__Plugin__V1__Attribute *a = xrealloc(NULL, sizeof *a);
    secscore__plugin__v1__attribute__init(a);
    a->name = xstrdup(name);
    a->value = xstrdup(value);
    GROW(item->pb.attributes, item->pb.n_attributes, item->c_attributes);
    item->pb.attributes[item->pb.n_attributes++] = a;
}

void secscore_finding_fail(secscore_finding *out, secscore_code code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    free(out->error_message);
    out->error_message = vformat(fmt, ap);
    va_end(ap);
    out->failed = 1;
    out->code = code;
}

static void finding_free(secscore_finding *f) {
    for (size_t i = 0; i < f->n_insights; i++) free(f->insights[i]);
    free(f->insights);
    for (size_t i = 0; i < f->n_metrics; i++) {
        free(f->metrics[i]->name);
        free(f->metrics[i]->unit);
        free(f->metrics[i]);
    }
    free(f->metrics);
    for (size_t i = 0; i < f->n_items; i++) {
        Secscore__Plugin__V1__EvidenceItem *it = f->items[i];
        free(it->kind); free(it->id); free(it->name); free(it->status);
        for (size_t j = 0; j < it->n_reasons; j++) free(it->reasons[j]);
        free(it->reasons);
        for (size_t j = 0; j < it->n_attributes; j++) {
            free(it->attributes[j]->name);
            free(it->attributes[j]->value);
            free(it->attributes[j]);
        }
        free(it->attributes);
        free(it); /* pb is the first member of secscore_item */
    }
    free(f->items);
    free(f->error_message);
}

static void respond_error(struct session *s, uint32_t id, Secscore__Plugin__V1__Code code, const char *message) {
    /* An error must reach the host even when its text is huge: past the
     * host's message limit, cut the text (at a UTF-8 boundary, or the host
     * could not parse it). 1 KiB always fits: the limit is at least 64 KiB. */
    char *cut = NULL;
    size_t n = strlen(message);
    if (n + 64 > s->message_limit_out && n > 1024) {
        n = 1024;
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80) n--;
        cut = xrealloc(NULL, n + 1);
        memcpy(cut, message, n);
        cut[n] = '\0';
    }
    Secscore__Plugin__V1__CallError e = SECSCORE__PLUGIN__V1__CALL_ERROR__INIT;
    e.code = code;
    e.message = cut ? cut : (char *)message;
    Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
    r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_ERROR;
    r.error = &e;
    send_message(s, SECSCORE_FRAME_RESPONSE, id, &r.base);
    free(cut);
}

/* Names the required facets of `check` that `facets` lacks ("" when none
 * is missing). The host never sends such a request (it reports "could not
 * check" itself); another host might, and absent data must never read as
 * "no items". */
static void missing_facets(const secscore_check *check, const Secscore__Tenant__V1__Facets *facets, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < check->n_required_facets; i++) {
        const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(
            &secscore__tenant__v1__facets__descriptor, (unsigned)check->required_facets[i]);
        if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        const void *present = *(const void *const *)((const char *)facets + fd->offset);
        if (present) continue;
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(&secscore__tenant__v1__facet__descriptor, (int)check->required_facets[i]);
        int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", v ? v->name : fd->name);
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
}

static void handle_request(struct session *s, uint32_t id) {
    Secscore__Plugin__V1__EvaluateRequest *msg =
        secscore__plugin__v1__evaluate_request__unpack(NULL, s->msg_len, s->data);
    if (!msg) {
        char why[256], text[320];
        secscore_explain_unpack_error(s->data, s->msg_len, why, sizeof why);
        snprintf(text, sizeof text, "request payload is not a valid EvaluateRequest: %s", why);
        respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_INVALID_ARGUMENT, text);
        return;
    }
    const secscore_check *check = NULL;
    for (size_t i = 0; i < s->plugin->n_checks; i++) {
        if (strcmp(s->plugin->checks[i].requirement_id, msg->requirement_id) == 0) check = &s->plugin->checks[i];
    }
    char text[512];
    if (!check) {
        snprintf(text, sizeof text, "this plugin does not check requirement %.200s", msg->requirement_id);
        respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_UNIMPLEMENTED, text);
    } else if (s->goaway) {
        respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_UNAVAILABLE, "the plugin is shutting down");
    } else if (id == 0 || id <= s->last_id) {
        snprintf(text, sizeof text, "request id %u is not larger than every earlier id", id);
        respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_FAILED_PRECONDITION, text);
    } else {
        s->last_id = id;
        uint32_t timeout = msg->deadline_ms ? msg->deadline_ms : s->default_timeout_ms;
        secscore_request req = {
            .id = id, .msg = msg, .facets = msg->facets ? msg->facets : &empty_facets,
            .deadline_ns = now_ns() + (uint64_t)timeout * 1000000ull, .session = s,
        };
        secscore_finding f;
        memset(&f, 0, sizeof f);
        int rc = 0;
        missing_facets(check, req.facets, text, sizeof text);
        if (text[0]) {
            secscore_finding_set_status(&f, SECSCORE_COULD_NOT_CHECK);
            secscore_finding_add_insight(&f, "The request carries no %s data, which this check requires; nothing was decided.", text);
        } else {
            rc = check->evaluate(&req, &f, check->user);
        }
        if (rc != 0 || f.failed) {
            respond_error(s, id, f.failed ? f.code : SECSCORE__PLUGIN__V1__CODE__CODE_INTERNAL,
                          f.error_message ? f.error_message : "the check failed without saying why");
        } else if (f.status < SECSCORE_COMPLIANT || f.status > SECSCORE_COULD_NOT_CHECK) {
            respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_INTERNAL, "the check set no status");
        } else {
            Secscore__Plugin__V1__Evidence evidence = SECSCORE__PLUGIN__V1__EVIDENCE__INIT;
            evidence.n_metrics = f.n_metrics;
            evidence.metrics = f.metrics;
            evidence.n_items = f.n_items;
            evidence.items = f.items;
            Secscore__Plugin__V1__Finding finding = SECSCORE__PLUGIN__V1__FINDING__INIT;
            finding.requirement_id = msg->requirement_id;
            finding.status = (Secscore__Plugin__V1__FindingStatus)f.status;
            finding.n_insights = f.n_insights;
            finding.insights = f.insights;
            finding.evidence = &evidence;
            Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
            r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_FINDING;
            r.finding = &finding;
            size_t size = protobuf_c_message_get_packed_size(&r.base);
            if (size > s->message_limit_out) {
                /* Sending it would end the whole session at the host; an
                 * error ends only this request. */
                snprintf(text, sizeof text, "the finding is %zu bytes; the host accepts messages of at most %llu bytes",
                         size, (unsigned long long)s->message_limit_out);
                respond_error(s, id, SECSCORE__PLUGIN__V1__CODE__CODE_RESOURCE_EXHAUSTED, text);
            } else {
                send_sized_message(s, SECSCORE_FRAME_RESPONSE, id, &r.base, size);
            }
        }
        finding_free(&f);
    }
    secscore__plugin__v1__evaluate_request__free_unpacked(msg, NULL);
}

/* ---- Logging ---------------------------------------------------------- */

void secscore_log(const secscore_request *req, secscore_log_level level, const char *fmt, ...) {
    struct session *s = req ? req->session : current_session;
    if (!s || (int)level < s->log_level) return;
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    Secscore__Plugin__V1__Log log = SECSCORE__PLUGIN__V1__LOG__INIT;
    log.level = (Secscore__Plugin__V1__LogLevel)level;
    log.message = text;
    send_message(s, SECSCORE_FRAME_LOG, req ? req->id : 0, &log.base);
    free(text);
}

void secscore_progress(const secscore_request *req, uint64_t completed, uint64_t total, const char *message) {
    Secscore__Plugin__V1__Progress p = SECSCORE__PLUGIN__V1__PROGRESS__INIT;
    p.completed = completed;
    p.total = total;
    p.message = (char *)(message ? message : "");
    send_message(req->session, SECSCORE_FRAME_PROGRESS, req->id, &p.base);
}

/* ---- --describe ------------------------------------------------------- */

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_facets(FILE *f, const char *key, const Secscore__Tenant__V1__Facet *facets, size_t n) {
    if (n == 0) return;
    fprintf(f, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(&secscore__tenant__v1__facet__descriptor, (int)facets[i]);
        if (i) fputc(',', f);
        if (v) json_string(f, v->name);
        else fprintf(f, "%d", (int)facets[i]);
    }
    fputc(']', f);
}

/* Prints the WELCOME the plugin would send, in protobuf's JSON mapping. */
static int describe(const secscore_plugin *p) {
    FILE *f = stdout;
    fprintf(f, "{\"protocolMajor\":%u,\"pluginName\":", SECSCORE_PROTOCOL_MAJOR);
    json_string(f, p->name);
    fputs(",\"pluginVersion\":", f);
    json_string(f, p->version);
    fprintf(f, ",\"sdk\":\"%s\",\"maxFrameBytes\":%u,\"maxConcurrentRequests\":1,\"maxMessageBytes\":\"%llu\",\"manifest\":{\"checks\":[",
            SECSCORE_SDK_NAME, SECSCORE_DEFAULT_MAX_FRAME, (unsigned long long)SECSCORE_DEFAULT_MAX_MESSAGE);
    for (size_t i = 0; i < p->n_checks; i++) {
        const secscore_check *c = &p->checks[i];
        if (i) fputc(',', f);
        fputs("{\"requirementId\":", f);
        json_string(f, c->requirement_id);
        fputs(",\"title\":", f);
        json_string(f, c->title ? c->title : "");
        if (c->description && *c->description) {
            fputs(",\"description\":", f);
            json_string(f, c->description);
        }
        json_facets(f, "requiredFacets", c->required_facets, c->n_required_facets);
        json_facets(f, "optionalFacets", c->optional_facets, c->n_optional_facets);
        fputc('}', f);
    }
    fputs("]}}\n", f);
    return fflush(f) == 0 ? 0 : 1;
}

/* ---- Main loop -------------------------------------------------------- */

static Secscore__Plugin__V1__Welcome *build_welcome(const secscore_plugin *p) {
    static Secscore__Plugin__V1__Welcome w = SECSCORE__PLUGIN__V1__WELCOME__INIT;
    static Secscore__Plugin__V1__Manifest m = SECSCORE__PLUGIN__V1__MANIFEST__INIT;
    Secscore__Plugin__V1__CheckDescriptor **checks = xrealloc(NULL, p->n_checks * sizeof *checks);
    for (size_t i = 0; i < p->n_checks; i++) {
        Secscore__Plugin__V1__CheckDescriptor *d = xrealloc(NULL, sizeof *d);
        secscore__plugin__v1__check_descriptor__init(d);
        d->requirement_id = (char *)p->checks[i].requirement_id;
        d->title = (char *)(p->checks[i].title ? p->checks[i].title : "");
        d->description = (char *)(p->checks[i].description ? p->checks[i].description : "");
        d->n_required_facets = p->checks[i].n_required_facets;
        d->required_facets = (Secscore__Tenant__V1__Facet *)p->checks[i].required_facets;
        d->n_optional_facets = p->checks[i].n_optional_facets;
        d->optional_facets = (Secscore__Tenant__V1__Facet *)p->checks[i].optional_facets;
        checks[i] = d;
    }
    m.n_checks = p->n_checks;
    m.checks = checks;
    w.protocol_major = SECSCORE_PROTOCOL_MAJOR;
    w.protocol_minor = SECSCORE_PROTOCOL_MINOR;
    w.plugin_name = (char *)p->name;
    w.plugin_version = (char *)p->version;
    w.sdk = (char *)SECSCORE_SDK_NAME;
    w.max_frame_bytes = SECSCORE_DEFAULT_MAX_FRAME;
    w.max_concurrent_requests = 1;
    w.max_message_bytes = SECSCORE_DEFAULT_MAX_MESSAGE;
    w.manifest = &m;
    return &w;
}

static uint32_t negotiate(uint32_t a, uint32_t b) {
    if (a == 0) a = SECSCORE_DEFAULT_MAX_FRAME;
    if (b == 0) b = SECSCORE_DEFAULT_MAX_FRAME;
    uint32_t v = a < b ? a : b;
    if (v < SECSCORE_MIN_MAX_FRAME) v = SECSCORE_MIN_MAX_FRAME;
    if (v > SECSCORE_ABSOLUTE_MAX_FRAME) v = SECSCORE_ABSOLUTE_MAX_FRAME;
    return v;
}

static int handshake(struct session *s) {
    int code = 0;
    int r = read_message(s, &code);
    if (r == 0) return -1; /* EOF before HELLO: nothing to do */
    if (r < 0) return code;
    if (s->msg_type != SECSCORE_FRAME_HELLO) return protocol_error(s, "expected HELLO as the first frame, got type 0x%02x", s->msg_type);
    Secscore__Plugin__V1__Hello *hello = secscore__plugin__v1__hello__unpack(NULL, s->msg_len, s->data);
    if (!hello) {
        char why[256];
        secscore_explain_unpack_error(s->data, s->msg_len, why, sizeof why);
        return protocol_error(s, "HELLO payload is not a valid Hello message: %s", why);
    }
    int ok = 0;
    for (size_t i = 0; i < hello->n_protocol_majors; i++) ok |= hello->protocol_majors[i] == SECSCORE_PROTOCOL_MAJOR;
    if (!ok) {
        send_goaway(s, SECSCORE__PLUGIN__V1__CODE__CODE_FAILED_PRECONDITION,
                    "no common protocol version: this plugin (" SECSCORE_SDK_NAME ") speaks major 1 only");
        secscore__plugin__v1__hello__free_unpacked(hello, NULL);
        return 3;
    }
    Secscore__Plugin__V1__Welcome *w = build_welcome(s->plugin);
    s->frame_limit_in = negotiate(hello->max_frame_bytes, w->max_frame_bytes);
    s->frame_limit_out = s->frame_limit_in;
    /* 0 means the default; below 64 KiB reads as 64 KiB (docs/PROTOCOL.md, 2). */
    s->message_limit_out = hello->max_message_bytes ? hello->max_message_bytes : SECSCORE_DEFAULT_MAX_MESSAGE;
    if (s->message_limit_out < SECSCORE_MIN_MAX_FRAME) s->message_limit_out = SECSCORE_MIN_MAX_FRAME;
    /* LOG_LEVEL_UNSPECIFIED (0) means INFO. */
    s->log_level = hello->log_level ? (int)hello->log_level : SECSCORE_LOG_INFO;
    if (hello->default_request_timeout_ms) s->default_timeout_ms = hello->default_request_timeout_ms;
    secscore__plugin__v1__hello__free_unpacked(hello, NULL);
    send_message(s, SECSCORE_FRAME_WELCOME, 0, &w->base);
    for (size_t i = 0; i < w->manifest->n_checks; i++) free(w->manifest->checks[i]);
    free(w->manifest->checks);
    return 0;
}

int secscore_plugin_main(const secscore_plugin *plugin, int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--describe") == 0) return describe(plugin);
    if (argc > 1) {
        int help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        fprintf(stderr,
                help ? "%s %s: a secscore plugin. The secscore host runs it; it speaks the plugin protocol on stdin and stdout.\n  --describe   print the manifest as JSON and exit\n"
                     : "error: a secscore plugin takes no arguments but --describe (%s %s)\n",
                plugin->name, plugin->version);
        return help ? 0 : 2;
    }
    signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
    /* Process-wide, so here and not in secscore_serve: blocks under 8 MiB
     * come from the heap and up to 16 MiB of free heap is kept (fixing the
     * thresholds turns glibc's dynamic ones off). glibc's defaults gave the
     * request's and the finding's blocks back after every message and
     * faulted them in again on the next: about 500 page faults per 1 MiB
     * request (BENCHMARKS.md, "1 MiB"). */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
    /* Move the protocol to private descriptors: fd 1 becomes stderr and fd 0
     * /dev/null, so stray printf or reads in check code cannot break it. */
    fflush(stdout);
    int in_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
    int out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (in_fd < 0 || out_fd < 0 || dup2(2, 1) < 0) {
        fprintf(stderr, "error: cannot set up the protocol channel: %s\n", strerror(errno));
        return 1;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
    setvbuf(stdout, NULL, _IOLBF, 0);
    return secscore_serve(plugin, in_fd, out_fd);
}

int secscore_serve(const secscore_plugin *plugin, int in_fd, int out_fd) {
    struct session s;
    memset(&s, 0, sizeof s);
    s.plugin = plugin;
    s.in_fd = in_fd;
    s.out_fd = out_fd;
    s.frame_limit_in = SECSCORE_DEFAULT_MAX_FRAME;
    s.frame_limit_out = SECSCORE_MIN_MAX_FRAME;
    s.message_limit_in = SECSCORE_DEFAULT_MAX_MESSAGE;
    s.message_limit_out = SECSCORE_DEFAULT_MAX_MESSAGE;
    s.default_timeout_ms = 30000;
    s.log_level = SECSCORE_LOG_INFO;
    s.rcap = 64 << 10;
    s.rbuf = xrealloc(NULL, s.rcap);
    current_session = &s;

    int code = handshake(&s);
    if (code != 0) {
        code = code < 0 ? 0 : code;
        goto done;
    }
    code = 0;
    for (;;) {
        int r = read_message(&s, &code);
        if (r == 0) break;  /* stdin ended: the session is over */
        if (r < 0) goto done;
        switch (s.msg_type) {
        case SECSCORE_FRAME_REQUEST:
            handle_request(&s, s.msg_id);
            break;
        case SECSCORE_FRAME_CANCEL:
            /* Requests run one at a time and are answered before the next
             * frame is read, so a CANCEL always names an answered request. */
            break;
        case SECSCORE_FRAME_PING:
            send_bytes(&s, SECSCORE_FRAME_PONG, s.msg_id, s.data, s.msg_len);
            break;
        case SECSCORE_FRAME_GOAWAY:
            s.goaway = 1;
            break;
        case SECSCORE_FRAME_HELLO:
            code = protocol_error(&s, "received a second HELLO");
            goto done;
        case SECSCORE_FRAME_WELCOME: case SECSCORE_FRAME_RESPONSE: case SECSCORE_FRAME_LOG:
        case SECSCORE_FRAME_PROGRESS: case SECSCORE_FRAME_PONG:
            code = protocol_error(&s, "received frame type 0x%02x, which only a plugin may send", s.msg_type);
            goto done;
        default:
            break; /* unknown frame types are skipped */
        }
    }
done:
    current_session = NULL;
    free(s.rbuf);
    free(s.msg);
    free(s.out);
    return code;
}
