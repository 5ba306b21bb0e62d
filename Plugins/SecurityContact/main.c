/* secscore-plugin-security-contact: the partner named a security contact
 * with a name, a well-formed email address and a phone number
 * (securityContactProvided). */
#include <ctype.h>
#include <secscore_plugin.h>
#include <string.h>
#include <strings.h>

/* Trims ASCII space from both ends into buf; returns buf. */
static const char *trimmed(const char *s, char *buf, size_t size) {
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n >= size) n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* local@domain.tld: one '@', no spaces or control characters, a dot in the
 * domain that is neither first nor last, at most 254 bytes. */
static const char *email_problem(const char *e) {
    size_t n = strlen(e);
    if (n == 0) return "is missing";
    if (n > 254) return "is longer than 254 characters";
    const char *at = strchr(e, '@');
    if (!at || strchr(at + 1, '@')) return "must contain exactly one @";
    if (at == e) return "has nothing before the @";
    for (const char *p = e; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '\x7f' || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return "contains spaces or characters not allowed in an address";
    }
    const char *domain = at + 1;
    const char *dot = strrchr(domain, '.');
    if (!dot || dot == domain || dot[1] == '\0' || strstr(domain, "..")) return "has no valid domain after the @";
    if (strlen(dot + 1) < 2) return "has a top-level domain shorter than two letters";
    return NULL;
}

/* Where an extension starts ("ext 12", "ext. 12", "x12", "#12", ";ext=12"),
 * or NULL. The marker must follow the main number. */
static const char *extension_start(const char *ph) {
    static const char *const markers[] = {";ext=", "extension", "ext.", "ext", "x", "#"};
    for (const char *p = ph; *p; p++) {
        for (size_t m = 0; m < sizeof markers / sizeof *markers; m++) {
            size_t len = strlen(markers[m]);
            if (strncasecmp(p, markers[m], len) == 0 && p > ph) return p;
        }
    }
    return NULL;
}

/* Digits with optional leading +, spaces, dashes, dots, parentheses; 7 to
 * 15 digits (E.164 allows 15), optionally followed by an extension of 1 to
 * 6 digits, which does not count toward the 15 (docs/REQUIREMENTS.md). */
static const char *phone_problem(const char *ph) {
    if (*ph == '\0') return "is missing";
    const char *ext = extension_start(ph);
    const char *end = ext ? ext : ph + strlen(ph);
    int digits = 0;
    for (const char *p = ph; p < end; p++) {
        if (isdigit((unsigned char)*p)) digits++;
        else if (*p == '+' && p == ph) continue;
        else if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')') continue;
        else return "contains characters other than digits, spaces, + - . ( )";
    }
    if (digits < 7) return "has fewer than 7 digits";
    if (digits > 15) return "has more than 15 digits";
    if (ext) {
        const char *p = ext;
        while (*p && !isdigit((unsigned char)*p)) {
            if (!(isalpha((unsigned char)*p) || *p == '.' || *p == ' ' || *p == '#' || *p == ';' || *p == '=' || *p == ':'))
                return "has a malformed extension";
            p++;
        }
        int ext_digits = 0;
        for (; *p; p++) {
            if (isdigit((unsigned char)*p)) ext_digits++;
            else return "has a malformed extension";
        }
        if (ext_digits < 1 || ext_digits > 6) return "has an extension without 1 to 6 digits";
    }
    return NULL;
}

static int check(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    const Secscore__Tenant__V1__SecurityContact *c = secscore_request_facets(req)->security_contact;
    if (!c) {
        secscore_finding_set_status(out, SECSCORE_COULD_NOT_CHECK);
        secscore_finding_add_insight(out, "securityContact.json is missing from the snapshot.");
        return 0;
    }
    char name[512], email[512], phone[128];
    trimmed(c->name, name, sizeof name);
    trimmed(c->email, email, sizeof email);
    trimmed(c->phone, phone, sizeof phone);
    int failures = 0;
    secscore_item *item = secscore_finding_add_item(out, "securityContact", email, name, "");
    if (name[0] == '\0') {
        secscore_finding_add_insight(out, "The security contact has no name.");
        secscore_item_add_reason(item, "name is missing");
        failures++;
    }
    const char *problem = email_problem(email);
    if (problem) {
        secscore_finding_add_insight(out, "The security contact's email address %s%s%s%s.", problem,
                                     email[0] ? " (\"" : "", email, email[0] ? "\")" : "");
        secscore_item_add_reason(item, "email %s", problem);
        failures++;
    }
    problem = phone_problem(phone);
    if (problem) {
        secscore_finding_add_insight(out, "The security contact's phone number %s%s%s%s.", problem,
                                     phone[0] ? " (\"" : "", phone, phone[0] ? "\")" : "");
        secscore_item_add_reason(item, "phone %s", problem);
        failures++;
    }
    secscore_finding_add_metric(out, "problems", failures, "");
    if (failures == 0) {
        secscore_finding_set_status(out, SECSCORE_COMPLIANT);
        secscore_finding_add_insight(out, "Security contact: %s <%s>, %s.", name, email, phone);
    } else {
        secscore_finding_set_status(out, SECSCORE_NOT_COMPLIANT);
        secscore_finding_add_insight(out, "Set all three in Partner Center: account settings, organization profile, security contact.");
    }
    return 0;
}

static const Secscore__Tenant__V1__Facet facets[] = {SECSCORE__TENANT__V1__FACET__FACET_SECURITY_CONTACT};

static const secscore_check checks[] = {{
    .requirement_id = "securityContactProvided",
    .title = "A security contact with name, email and phone",
    .description = "The partner named a security contact whose name, email address and phone number are all present and well formed.",
    .required_facets = facets,
    .n_required_facets = 1,
    .evaluate = check,
}};

int main(int argc, char **argv) {
    const secscore_plugin plugin = {.name = "security-contact", .version = "1.0.0", .checks = checks, .n_checks = 1};
    return secscore_plugin_main(&plugin, argc, argv);
}
