/* Echoes the security contact's name back as the finding's one insight:
 * a payload of any size there and back, through the real C SDK. */
#include <secscore_plugin.h>

static int echo(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    const Secscore__Tenant__V1__SecurityContact *c = secscore_request_facets(req)->security_contact;
    secscore_finding_set_status(out, SECSCORE_COMPLIANT);
    secscore_finding_add_insight(out, "%s", c ? c->name : "");
    return 0;
}

static const Secscore__Tenant__V1__Facet facets[] = {SECSCORE__TENANT__V1__FACET__FACET_SECURITY_CONTACT};
static const secscore_check checks[] = {{.requirement_id = "bench.echo", .title = "echo", .optional_facets = facets,
                                          .n_optional_facets = 1, .evaluate = echo}};

int main(int argc, char **argv) {
    const secscore_plugin plugin = {.name = "bench-echo", .version = "1", .checks = checks, .n_checks = 1};
    return secscore_plugin_main(&plugin, argc, argv);
}
