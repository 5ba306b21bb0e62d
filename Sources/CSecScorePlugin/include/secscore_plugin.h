/*
 * secscore plugin SDK for C.
 *
 * A plugin is a table of checks and one call:
 *
 *     static int check_contact(const secscore_request *req, secscore_finding *out, void *user) {
 *         const Secscore__Tenant__V1__Facets *f = secscore_request_facets(req);
 *         if (f->security_contact->email[0] == '\0') {
 *             secscore_finding_set_status(out, SECSCORE_NOT_COMPLIANT);
 *             secscore_finding_add_insight(out, "No security contact email.");
 *         } else {
 *             secscore_finding_set_status(out, SECSCORE_COMPLIANT);
 *         }
 *         return 0;
 *     }
 *     static const Secscore__Tenant__V1__Facet contact_facets[] = {
 *         SECSCORE__TENANT__V1__FACET__FACET_SECURITY_CONTACT };
 *     static const secscore_check checks[] = {{
 *         .requirement_id = "securityContactProvided", .title = "Security contact",
 *         .required_facets = contact_facets, .n_required_facets = 1,
 *         .evaluate = check_contact }};
 *     int main(int argc, char **argv) {
 *         secscore_plugin plugin = { "my-plugin", "1.0.0", checks, 1 };
 *         return secscore_plugin_main(&plugin, argc, argv);
 *     }
 *
 * The SDK owns framing, the handshake, the dispatch loop, logging and the
 * protocol channel: before any check runs it moves the protocol off fds 0
 * and 1 and points fd 1 at stderr, so printf cannot corrupt the stream.
 * Requests are served one at a time (max_concurrent_requests = 1). See
 * docs/PROTOCOL.md for the wire format.
 */
#ifndef SECSCORE_PLUGIN_H
#define SECSCORE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "secscore/plugin/v1/plugin.pb-c.h"
#include "secscore/tenant/v1/tenant.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SECSCORE_SDK_NAME "secscore-c 0.1.0"
#define SECSCORE_PROTOCOL_MAJOR 1u
#define SECSCORE_PROTOCOL_MINOR 0u
#define SECSCORE_HEADER_BYTES 12u
#define SECSCORE_MAGIC_0 0xF5u
#define SECSCORE_MAGIC_1 0x53u
#define SECSCORE_DEFAULT_MAX_FRAME (4u << 20)
#define SECSCORE_MIN_MAX_FRAME (64u << 10)
#define SECSCORE_ABSOLUTE_MAX_FRAME (64u << 20)
#define SECSCORE_DEFAULT_MAX_MESSAGE (256ull << 20)

/* Frame types (docs/PROTOCOL.md, "Frame types"). */
enum {
    SECSCORE_FRAME_HELLO = 0x01,
    SECSCORE_FRAME_WELCOME = 0x02,
    SECSCORE_FRAME_GOAWAY = 0x03,
    SECSCORE_FRAME_PING = 0x04,
    SECSCORE_FRAME_PONG = 0x05,
    SECSCORE_FRAME_REQUEST = 0x10,
    SECSCORE_FRAME_RESPONSE = 0x11,
    SECSCORE_FRAME_CANCEL = 0x12,
    SECSCORE_FRAME_LOG = 0x13,
    SECSCORE_FRAME_PROGRESS = 0x14,
};
#define SECSCORE_FLAG_MORE 0x01u

typedef enum {
    SECSCORE_COMPLIANT = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_COMPLIANT,
    SECSCORE_NOT_COMPLIANT = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_NOT_COMPLIANT,
    SECSCORE_COULD_NOT_CHECK = SECSCORE__PLUGIN__V1__FINDING_STATUS__FINDING_STATUS_COULD_NOT_CHECK,
} secscore_status;

typedef enum {
    SECSCORE_LOG_TRACE = SECSCORE__PLUGIN__V1__LOG_LEVEL__LOG_LEVEL_TRACE,
    SECSCORE_LOG_DEBUG = SECSCORE__PLUGIN__V1__LOG_LEVEL__LOG_LEVEL_DEBUG,
    SECSCORE_LOG_INFO = SECSCORE__PLUGIN__V1__LOG_LEVEL__LOG_LEVEL_INFO,
    SECSCORE_LOG_WARNING = SECSCORE__PLUGIN__V1__LOG_LEVEL__LOG_LEVEL_WARNING,
    SECSCORE_LOG_ERROR = SECSCORE__PLUGIN__V1__LOG_LEVEL__LOG_LEVEL_ERROR,
} secscore_log_level;

/* Canonical codes for secscore_finding_fail (gRPC numbering). */
typedef Secscore__Plugin__V1__Code secscore_code;
#define SECSCORE_CODE_INVALID_ARGUMENT SECSCORE__PLUGIN__V1__CODE__CODE_INVALID_ARGUMENT
#define SECSCORE_CODE_FAILED_PRECONDITION SECSCORE__PLUGIN__V1__CODE__CODE_FAILED_PRECONDITION
#define SECSCORE_CODE_UNIMPLEMENTED SECSCORE__PLUGIN__V1__CODE__CODE_UNIMPLEMENTED
#define SECSCORE_CODE_INTERNAL SECSCORE__PLUGIN__V1__CODE__CODE_INTERNAL
#define SECSCORE_CODE_DEADLINE_EXCEEDED SECSCORE__PLUGIN__V1__CODE__CODE_DEADLINE_EXCEEDED
#define SECSCORE_CODE_RESOURCE_EXHAUSTED SECSCORE__PLUGIN__V1__CODE__CODE_RESOURCE_EXHAUSTED

typedef struct secscore_request secscore_request;
typedef struct secscore_finding secscore_finding;
typedef struct secscore_item secscore_item;

/* Evaluates one request. Fill `out` and return 0, or call
 * secscore_finding_fail and return non-zero. Never write to stdout's
 * protocol channel yourself; printf goes to stderr, which the host logs. */
typedef int (*secscore_check_fn)(const secscore_request *req, secscore_finding *out, void *user);

typedef struct secscore_check {
    const char *requirement_id;
    const char *title;
    const char *description;
    const Secscore__Tenant__V1__Facet *required_facets;
    size_t n_required_facets;
    const Secscore__Tenant__V1__Facet *optional_facets;
    size_t n_optional_facets;
    secscore_check_fn evaluate;
    void *user;
} secscore_check;

typedef struct secscore_plugin {
    const char *name;
    const char *version;
    const secscore_check *checks;
    size_t n_checks;
} secscore_plugin;

/* Runs the plugin: `--describe` prints the manifest as JSON, no argument
 * serves a session on stdin/stdout until stdin ends. Returns the exit code
 * for main to return. Process-wide settings it makes for the session: SIGPIPE
 * ignored, stdout and stdin moved off the protocol's pipes, and (glibc)
 * malloc keeping blocks under 8 MiB in its heap with up to 16 MiB of free
 * heap retained (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), so that each
 * large request does not fault its memory in afresh. */
int secscore_plugin_main(const secscore_plugin *plugin, int argc, char **argv);

/* Serves one session on the given descriptors without touching stdio (for
 * tests, fuzzing, or a plugin that sets up its own channel). Returns the
 * exit code secscore_plugin_main would. */
int secscore_serve(const secscore_plugin *plugin, int in_fd, int out_fd);

/* ---- The request ------------------------------------------------------ */
uint32_t secscore_request_id(const secscore_request *req);
const char *secscore_request_requirement(const secscore_request *req);
const Secscore__Plugin__V1__EvaluationContext *secscore_request_context(const secscore_request *req);
/* Never NULL. A facet the snapshot lacks (or the check did not declare) is
 * NULL inside it: test e.g. facets->security_contact before use. */
const Secscore__Tenant__V1__Facets *secscore_request_facets(const secscore_request *req);
/* The i-th value of catalog parameter `name`, or NULL. */
const char *secscore_request_parameter(const secscore_request *req, const char *name, size_t index);
/* Non-zero once the request's deadline has passed: long loops should stop. */
int secscore_request_expired(const secscore_request *req);

/* ---- The finding ------------------------------------------------------ */
void secscore_finding_set_status(secscore_finding *out, secscore_status status);
void secscore_finding_add_insight(secscore_finding *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void secscore_finding_add_metric(secscore_finding *out, const char *name, double value, const char *unit);
secscore_item *secscore_finding_add_item(secscore_finding *out, const char *kind, const char *id,
                                         const char *name, const char *status);
void secscore_item_add_reason(secscore_item *item, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void secscore_item_add_attribute(secscore_item *item, const char *name, const char *value);
/* Answers the request with a call error instead of a finding. */
void secscore_finding_fail(secscore_finding *out, secscore_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Logging ---------------------------------------------------------- */
/* Sends a LOG frame (about `req`, or the session when NULL). */
void secscore_log(const secscore_request *req, secscore_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void secscore_progress(const secscore_request *req, uint64_t completed, uint64_t total, const char *message);

/* ---- Low level, for tests and unusual plugins --------------------------- */
/* Writes one frame to `fd` (all of it, retrying short writes). Returns 0 or
 * an errno. */
int secscore_write_frame(int fd, uint8_t type, uint8_t flags, uint32_t request_id,
                         const void *payload, uint32_t length);
/* Explains why protobuf-c could not unpack `data`: writes a sentence naming
 * the byte offset and the problem into `why`. */
void secscore_explain_unpack_error(const uint8_t *data, size_t length, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif
#endif
