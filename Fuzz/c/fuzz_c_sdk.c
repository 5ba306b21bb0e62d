/* libFuzzer target for the C SDK: arbitrary bytes as a plugin's stdin,
 * through the real frame reader, handshake and dispatch. */
#include <secscore_plugin.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static int check(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    const Secscore__Tenant__V1__Facets *f = secscore_request_facets(req);
    secscore_finding_set_status(out, f->security_contact ? SECSCORE_COMPLIANT : SECSCORE_COULD_NOT_CHECK);
    secscore_finding_add_insight(out, "%s", f->security_contact ? f->security_contact->name : "none");
    secscore_item *item = secscore_finding_add_item(out, "k", "i", "n", "s");
    secscore_item_add_reason(item, "r %d", 1);
    secscore_finding_add_metric(out, "m", 1, "u");
    return 0;
}

static const Secscore__Tenant__V1__Facet facets[] = {SECSCORE__TENANT__V1__FACET__FACET_SECURITY_CONTACT};
static const secscore_check checks[] = {{.requirement_id = "fuzz.check", .title = "fuzz", .required_facets = facets,
                                          .n_required_facets = 1, .evaluate = check}};
static const secscore_plugin plugin = {.name = "fuzz", .version = "0", .checks = checks, .n_checks = 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 60000) return 0;  /* must fit the pipe buffer */
    int in[2];
    if (pipe(in) != 0) return 0;
    if (write(in[1], data, size) != (ssize_t)size) { close(in[0]); close(in[1]); return 0; }
    close(in[1]);
    int out = open("/dev/null", O_WRONLY);
    secscore_serve(&plugin, in[0], out);
    close(in[0]);
    close(out);
    return 0;
}
