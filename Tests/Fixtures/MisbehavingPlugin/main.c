/* A plugin that misbehaves on purpose, one way per mode (argv[1]).
 *
 * Modes that misbehave at the protocol level speak raw frames (raw_*);
 * modes that misbehave inside a check use the C SDK (sdk_*). Every mode
 * declares the requirement "test.fault". A raw mode this file does not name
 * (e.g. "raw") answers every request with one COMPLIANT finding, ignores
 * every other frame (a second HELLO included) and exits 1 when the first
 * frame is not HELLO: a plugin that only gets the happy path right. */
#define _GNU_SOURCE
#include <secscore_plugin.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *mode = "";
extern char **environ;

/* ---- Raw protocol helpers -------------------------------------------- */

static int read_exact(int fd, void *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r > 0) { got += (size_t)r; continue; }
        if (r < 0 && errno == EINTR) continue;
        return -1;
    }
    return 0;
}

/* Reads one frame; returns its type, or -1 at EOF. */
static int read_frame(uint32_t *id, uint8_t **payload, uint32_t *len) {
    uint8_t h[12];
    if (read_exact(0, h, 12) != 0) return -1;
    *id = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
    *len = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
    *payload = realloc(*payload, *len ? *len : 1);
    if (read_exact(0, *payload, *len) != 0) return -1;
    return h[2];
}

static void send_pb(uint8_t type, uint32_t id, const ProtobufCMessage *m) {
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    protobuf_c_message_pack(m, buf);
    secscore_write_frame(1, type, 0, id, buf, (uint32_t)n);
    free(buf);
}

static void send_welcome(const char *requirement) {
    Secscore__Plugin__V1__CheckDescriptor check = SECSCORE__PLUGIN__V1__CHECK_DESCRIPTOR__INIT;
    check.requirement_id = (char *)requirement;
    check.title = "fault";
    Secscore__Plugin__V1__CheckDescriptor *checks[2] = {&check, &check};
    Secscore__Plugin__V1__Manifest manifest = SECSCORE__PLUGIN__V1__MANIFEST__INIT;
    manifest.n_checks = strcmp(mode, "welcome-duplicate") == 0 ? 2 : 1;
    manifest.checks = checks;
    Secscore__Plugin__V1__Welcome w = SECSCORE__PLUGIN__V1__WELCOME__INIT;
    w.protocol_major = 1;
    w.plugin_name = "misbehaving";
    w.plugin_version = "0";
    w.sdk = "raw";
    w.max_concurrent_requests = 4;
    w.manifest = &manifest;
    send_pb(SECSCORE_FRAME_WELCOME, 0, &w.base);
}

static void send_finding(uint32_t id, const char *requirement) {
    Secscore__Plugin__V1__Finding f = SECSCORE__PLUGIN__V1__FINDING__INIT;
    f.requirement_id = (char *)requirement;
    f.status = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_COMPLIANT;
    Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
    r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_FINDING;
    r.finding = &f;
    send_pb(SECSCORE_FRAME_RESPONSE, id, &r.base);
}

static void send_error(uint32_t id, Secscore__Plugin__V1__Code code, const char *message) {
    Secscore__Plugin__V1__CallError e = SECSCORE__PLUGIN__V1__CALL_ERROR__INIT;
    e.code = code;
    e.message = (char *)message;
    Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
    r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_ERROR;
    r.error = &e;
    send_pb(SECSCORE_FRAME_RESPONSE, id, &r.base);
}

static void hang(void) {
    for (;;) pause();
}

static int is(const char *m) { return strcmp(mode, m) == 0; }

/* The raw modes: handshake by hand, then do the wrong thing. */
static int raw_main(void) {
    uint8_t *payload = NULL;
    uint32_t id, len;
    if (is("garbage-before-handshake")) {
        const char text[] = "Starting plugin v1.0... ready!\n";
        (void)!write(1, text, sizeof text - 1);
        hang();
    }
    if (is("hang-before-handshake")) hang();
    if (is("crash-before-handshake")) abort();
    if (is("exit-before-handshake")) {
        fprintf(stderr, "fatal: config file /etc/plugin.conf not found\n");
        return 1;
    }
    if (read_frame(&id, &payload, &len) != SECSCORE_FRAME_HELLO) return 1;
    if (is("refuse-version")) {
        Secscore__Plugin__V1__GoAway g = SECSCORE__PLUGIN__V1__GO_AWAY__INIT;
        g.code = SECSCORE__PLUGIN__V1__CODE__CODE_FAILED_PRECONDITION;
        g.reason = "this plugin speaks protocol 2 only";
        uint32_t majors[] = {2};
        g.n_supported_majors = 1;
        g.supported_majors = majors;
        send_pb(SECSCORE_FRAME_GOAWAY, 0, &g.base);
        return 3;
    }
    if (is("progress-before-welcome")) {
        Secscore__Plugin__V1__Progress pr = SECSCORE__PLUGIN__V1__PROGRESS__INIT;
        send_pb(SECSCORE_FRAME_PROGRESS, 1, &pr.base);
        hang();
    }
    if (is("response-before-welcome")) {
        send_finding(1, "test.fault");
        hang();
    }
    if (is("welcome-invalid-id")) {
        send_welcome("not a valid id!");
        hang();
    }
    if (is("grandchild")) {
        /* A child that inherits the pipes and would outlive us. Forked before
         * WELCOME so that it exists by the time the host's launch returns. */
        if (fork() == 0) {
            for (;;) pause();
        }
    }
    if (is("escape-setsid")) {
        /* A child that leaves the process group and the session: killing the
         * group misses it. */
        if (fork() == 0) {
            setsid();
            for (;;) pause();
        }
    }
    if (is("escape-double-fork")) {
        /* The classic daemon: the middle child exits at once, so the
         * grandchild is an orphan in its own session from the start. */
        pid_t middle = fork();
        if (middle == 0) {
            if (fork() == 0) {
                setsid();
                for (;;) pause();
            }
            _exit(0);
        }
        waitpid(middle, NULL, 0);
    }
    send_welcome("test.fault");
    if (is("ignore-sigterm")) signal(SIGTERM, SIG_IGN);
    for (;;) {
        int type = read_frame(&id, &payload, &len);
        if (type < 0) {
            if (is("ignore-sigterm")) hang(); /* outlive the closed stdin too */
            return 0;
        }
        if (type != SECSCORE_FRAME_REQUEST) continue;
        Secscore__Plugin__V1__EvaluateRequest *req = secscore__plugin__v1__evaluate_request__unpack(NULL, len, payload);
        const char *requirement = req ? req->requirement_id : "test.fault";
        if (is("crash-mid-request")) {
            fprintf(stderr, "about to crash on request %u\n", id);
            raise(SIGSEGV);
        } else if (is("exit-mid-request")) {
            return 0;
        } else if (is("answer-then-exit")) {
            send_finding(id, requirement);
            return 0;  /* the answer is in the pipe before the exit is seen */
        } else if (is("hang-mid-request") || is("ignore-sigterm") || is("grandchild")) {
            /* never answers, ignores CANCEL */
        } else if (is("bad-magic")) {
            uint8_t junk[12] = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '2', '0', '0'};
            (void)!write(1, junk, sizeof junk);
        } else if (is("oversized-length")) {
            uint8_t h[12] = {SECSCORE_MAGIC_0, SECSCORE_MAGIC_1, SECSCORE_FRAME_RESPONSE, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xF0};
            h[7] = (uint8_t)id;
            (void)!write(1, h, sizeof h);
            hang();
        } else if (is("truncated-frame")) {
            uint8_t h[22] = {SECSCORE_MAGIC_0, SECSCORE_MAGIC_1, SECSCORE_FRAME_RESPONSE, 0, 0, 0, 0, 0, 0, 0, 0, 100};
            h[7] = (uint8_t)id;
            (void)!write(1, h, sizeof h);
            return 0;
        } else if (is("invalid-protobuf")) {
            uint8_t body[] = {0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
            secscore_write_frame(1, SECSCORE_FRAME_RESPONSE, 0, id, body, sizeof body);
        } else if (is("deep-nesting")) {
            /* 100,000 nested start-group tags inside a RESPONSE. */
            size_t depth = 100000;
            uint8_t *body = malloc(depth * 2);
            for (size_t i = 0; i < depth; i++) body[i] = 0x7B; /* field 15, start group */
            for (size_t i = 0; i < depth; i++) body[depth + i] = 0x7C; /* field 15, end group */
            secscore_write_frame(1, SECSCORE_FRAME_RESPONSE, 0, id, body, (uint32_t)(depth * 2));
            free(body);
        } else if (is("invalid-utf8")) {
            /* Well-formed protobuf whose deepest string is not UTF-8 (an
             * overlong encoding of '/'): protobuf-c packs bytes as given. */
            Secscore__Plugin__V1__Attribute a = SECSCORE__PLUGIN__V1__ATTRIBUTE__INIT;
            a.name = "path";
            a.value = "\xC0\xAF";
            Secscore__Plugin__V1__Attribute *attributes[1] = {&a};
            Secscore__Plugin__V1__EvidenceItem item = SECSCORE__PLUGIN__V1__EVIDENCE_ITEM__INIT;
            item.kind = "admin";
            item.id = "1";
            item.n_attributes = 1;
            item.attributes = attributes;
            Secscore__Plugin__V1__EvidenceItem *items[1] = {&item};
            Secscore__Plugin__V1__Evidence e = SECSCORE__PLUGIN__V1__EVIDENCE__INIT;
            e.n_items = 1;
            e.items = items;
            Secscore__Plugin__V1__Finding f = SECSCORE__PLUGIN__V1__FINDING__INIT;
            f.requirement_id = (char *)requirement;
            f.status = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_COMPLIANT;
            f.evidence = &e;
            Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
            r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_FINDING;
            r.finding = &f;
            send_pb(SECSCORE_FRAME_RESPONSE, id, &r.base);
        } else if (is("wrong-id")) {
            send_finding(id + 1000, requirement);
        } else if (is("always-internal")) {
            /* Well framed, never a finding: every check "has a bug". */
            send_error(id, SECSCORE__PLUGIN__V1__CODE__CODE_INTERNAL, "unexpected nil while unwrapping the tenant");
        } else if (is("big-answer")) {
            /* A 100 KiB finding whatever HELLO's max_message_bytes said. */
            static char line[100 << 10];
            memset(line, 'b', sizeof line - 1);
            Secscore__Plugin__V1__Finding f = SECSCORE__PLUGIN__V1__FINDING__INIT;
            f.requirement_id = (char *)requirement;
            f.status = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_NOT_COMPLIANT;
            char *insights[1] = {line};
            f.n_insights = 1;
            f.insights = insights;
            Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
            r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_FINDING;
            r.finding = &f;
            send_pb(SECSCORE_FRAME_RESPONSE, id, &r.base);
        } else if (is("answer-twice")) {
            send_finding(id, requirement);
            send_finding(id, requirement);
        } else if (strncmp(mode, "late-", 5) == 0) {
            /* late-<what>-<ms>: a correct answer, then, <ms> later and still
             * before exiting, a second answer, an answer nobody asked for, or
             * bytes that are no frame. */
            send_finding(id, requirement);
            usleep((useconds_t)atoi(strrchr(mode, '-') + 1) * 1000);
            if (strncmp(mode, "late-duplicate-", 15) == 0) {
                send_finding(id, requirement);
            } else if (strncmp(mode, "late-unsolicited-", 17) == 0) {
                send_finding(id + 1000, requirement);
            } else {
                static const char junk[] = "debug: stray bytes after the answer\n";
                (void)!write(1, junk, sizeof junk - 1);
            }
        } else if (is("undeclared-requirement")) {
            send_finding(id, "mfaEnforcedForAdmins");
        } else if (is("unknown-frame-type")) {
            uint8_t body[3] = {1, 2, 3};
            secscore_write_frame(1, 0x7E, 0, 0, body, sizeof body);
            send_finding(id, requirement);
        } else if (is("fragmented-response")) {
            /* A RESPONSE split in three frames, as a big one would be. */
            Secscore__Plugin__V1__Finding f = SECSCORE__PLUGIN__V1__FINDING__INIT;
            f.requirement_id = (char *)requirement;
            f.status = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_NOT_COMPLIANT;
            char *insights[1] = {"split across frames"};
            f.n_insights = 1;
            f.insights = insights;
            Secscore__Plugin__V1__EvaluateResponse r = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__INIT;
            r.result_case = SECSCORE__PLUGIN__V1__EVALUATE_RESPONSE__RESULT_FINDING;
            r.finding = &f;
            size_t n = protobuf_c_message_get_packed_size(&r.base);
            uint8_t *buf = malloc(n);
            protobuf_c_message_pack(&r.base, buf);
            size_t a = n / 3, b = 2 * n / 3;
            secscore_write_frame(1, SECSCORE_FRAME_RESPONSE, SECSCORE_FLAG_MORE, id, buf, (uint32_t)a);
            secscore_write_frame(1, SECSCORE_FRAME_RESPONSE, SECSCORE_FLAG_MORE, id, buf + a, (uint32_t)(b - a));
            secscore_write_frame(1, SECSCORE_FRAME_RESPONSE, 0, id, buf + b, (uint32_t)(n - b));
            free(buf);
        } else {
            send_finding(id, requirement);
        }
        if (req) secscore__plugin__v1__evaluate_request__free_unpacked(req, NULL);
    }
}

/* ---- SDK modes: the protocol is fine, the check is not ------------------ */

static int sdk_check(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    secscore_finding_set_status(out, SECSCORE_COMPLIANT);
    if (is("print-to-stdout")) {
        printf("debug: this printf must not reach the protocol channel\n");
        fflush(stdout);
        secscore_finding_add_insight(out, "printed to stdout");
    } else if (is("env-dump")) {
        for (char **e = environ; *e; e++) secscore_finding_add_insight(out, "%s", *e);
    } else if (is("long-stderr-line")) {
        static char chunk[65536];
        memset(chunk, 'x', sizeof chunk);
        for (int i = 0; i < 16; i++) (void)!write(2, chunk, sizeof chunk); /* 1 MiB, no newline */
        (void)!write(2, "\nafter the long line\n", 21);
    } else if (is("log-flood")) {
        static char chunk[65536];
        memset(chunk, 'y', sizeof chunk);
        chunk[sizeof chunk - 1] = '\n';
        for (;;) {
            if (write(2, chunk, sizeof chunk) < 0) break;
        }
    } else if (is("log-frames")) {
        secscore_log(req, SECSCORE_LOG_WARNING, "escape \x1b[31mred\x1b[0m and bidi \xe2\x80\xae override");
        secscore_log(NULL, SECSCORE_LOG_INFO, "session-level line");
    } else if (is("hostile-text")) {
        secscore_finding_add_insight(out, "\x1b]0;pwned\x07<script>alert(1)</script>\xff\xfe");
    } else if (is("huge-text")) {
        /* A 2 MB insight, 500 more, and an evidence field of 3,000 bytes. */
        size_t big = 2u << 20;
        char *text = malloc(big + 1);
        memset(text, 'w', big);
        text[big] = '\0';
        secscore_finding_add_insight(out, "%s", text);
        free(text);
        for (int i = 0; i < 500; i++) secscore_finding_add_insight(out, "insight %d", i);
        char field[3001];
        memset(field, 'f', 3000);
        field[3000] = '\0';
        secscore_item *item = secscore_finding_add_item(out, "thing", "id-1", field, "compliant");
        secscore_item_add_attribute(item, "long", field);
    } else if (is("duplicate-metric")) {
        secscore_finding_add_metric(out, "admins", 3, "");
        secscore_finding_add_metric(out, "admins", 4, "");
    } else if (is("nan-metric")) {
        secscore_finding_add_metric(out, "ratio", 0.0 / 0.0, "");
    } else if (is("allocate")) {
        /* Touch memory until the address-space limit stops us. */
        size_t total = 0;
        for (;;) {
            char *p = malloc(64 << 20);
            if (!p) break;
            memset(p, 1, 64 << 20);
            total += 64 << 20;
        }
        secscore_finding_fail(out, SECSCORE_CODE_RESOURCE_EXHAUSTED, "malloc failed after %zu MiB", total >> 20);
        return 1;
    } else if (is("spin")) {
        for (volatile unsigned long i = 0;; i++) {}
    } else if (is("fail")) {
        secscore_finding_fail(out, SECSCORE_CODE_FAILED_PRECONDITION, "tenant data is inconsistent: %d users", 3);
        return 1;
    } else if (is("echo-facets")) {
        const Secscore__Tenant__V1__Facets *f = secscore_request_facets(req);
        secscore_finding_add_insight(out, "securityContact=%s users=%s", f->security_contact ? "present" : "absent",
                                     f->users ? "present" : "absent");
        const char *p = secscore_request_parameter(req, "answer", 0);
        if (p) secscore_finding_add_insight(out, "answer=%s", p);
        secscore_finding_add_metric(out, "facetBytes", 0, "bytes");
    } else if (is("slow")) {
        usleep(200 * 1000);
    } else if (is("big-answer")) {
        /* 100 KiB of insight: the SDK must not send it to a host that
         * accepts less (docs/PROTOCOL.md, 4.3). */
        static char line[100 << 10];
        memset(line, 'b', sizeof line - 1);
        secscore_finding_set_status(out, SECSCORE_NOT_COMPLIANT);
        secscore_finding_add_insight(out, "%s", line);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        mode = argv[1];
        if (strncmp(mode, "sdk-", 4) == 0) {
            mode += 4;
            static const secscore_check checks[] = {{.requirement_id = "test.fault", .title = "fault", .evaluate = sdk_check}};
            const secscore_plugin plugin = {.name = "misbehaving-sdk", .version = "0", .checks = checks, .n_checks = 1};
            char *args[] = {argv[0], NULL};
            return secscore_plugin_main(&plugin, 1, args);
        }
        return raw_main();
    }
    static const secscore_check checks[] = {{.requirement_id = "test.fault", .title = "fault", .evaluate = sdk_check}};
    const secscore_plugin plugin = {.name = "misbehaving-sdk", .version = "0", .checks = checks, .n_checks = 1};
    return secscore_plugin_main(&plugin, argc, argv);
}
