/* An example secscore plugin in C: a check Partner Center does not have.
 *
 * Security alerts and incident mail go to the security contact, so that
 * address should belong to the partner's own domain, not a personal
 * free-mail account that leaves with one employee.
 *
 * Build: swift build --product example-plugin-c
 * Try:   .build/debug/example-plugin-c --describe
 */
#include <secscore_plugin.h>
#include <string.h>
#include <strings.h>

static const char *const free_mail[] = {
    "gmail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.com",
};

static int check_contact_domain(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    const Secscore__Tenant__V1__SecurityContact *contact = secscore_request_facets(req)->security_contact;
    const char *email = contact ? contact->email : "";
    const char *at = strrchr(email, '@');
    if (!at || at[1] == '\0') {
        secscore_finding_set_status(out, SECSCORE_COULD_NOT_CHECK);
        secscore_finding_add_insight(out, "The security contact has no email address to check.");
        return 0;
    }
    const char *domain = at + 1;
    for (size_t i = 0; i < sizeof free_mail / sizeof free_mail[0]; i++) {
        if (strcasecmp(domain, free_mail[i]) == 0) {
            secscore_finding_set_status(out, SECSCORE_NOT_COMPLIANT);
            secscore_finding_add_insight(out, "The security contact uses %s, a free-mail provider: use a mailbox on your own domain.",
                                         domain);
            secscore_item *item = secscore_finding_add_item(out, "securityContact", email, contact->name, "freeMail");
            secscore_item_add_reason(item, "%s is a free-mail domain", domain);
            return 0;
        }
    }
    secscore_log(req, SECSCORE_LOG_DEBUG, "contact domain %s is not a free-mail domain", domain);
    secscore_finding_set_status(out, SECSCORE_COMPLIANT);
    secscore_finding_add_insight(out, "The security contact uses the organisation's own domain (%s).", domain);
    return 0;
}

static const Secscore__Tenant__V1__Facet contact_facets[] = {
    SECSCORE__TENANT__V1__FACET__FACET_SECURITY_CONTACT,
};

static const secscore_check checks[] = {{
    .requirement_id = "example.contactDomain",
    .title = "Security contact on the partner's own domain",
    .description = "The security contact's email address is not a free-mail account.",
    .required_facets = contact_facets,
    .n_required_facets = 1,
    .evaluate = check_contact_domain,
}};

int main(int argc, char **argv) {
    const secscore_plugin plugin = {
        .name = "example-contact-domain", .version = "1.0.0", .checks = checks, .n_checks = 1,
    };
    return secscore_plugin_main(&plugin, argc, argv);
}
