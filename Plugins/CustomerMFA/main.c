/* secscore-plugin-customer-mfa: every admin of every customer tenant has
 * MFA enabled (mfaEnforcedForAdminsOfCustomers), from Partner Center's
 * Customer MFA statistics. */
#include <secscore_plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const Secscore__Tenant__V1__CustomerMfaStatistics *customer;

static int64_t missing(customer c) { return c->total_admins_count - c->mfa_enabled_admins_count; }

/* Every Entra tenant has at least one Global Administrator: a total of zero
 * admins means the admin data was not collected, never "all 0 have MFA".
 * A negative total means the export has none (Graph's customerInsights). */
static int admins_unknown(customer c) { return c->total_admins_count <= 0; }

/* Worst first: most admins without MFA, then the lowest share covered,
 * then by name so the order is stable. */
static int worst_first(const void *a, const void *b) {
    customer x = *(customer const *)a, y = *(customer const *)b;
    if (missing(x) != missing(y)) return missing(x) < missing(y) ? 1 : -1;
    double rx = x->total_admins_count ? (double)x->mfa_enabled_admins_count / (double)x->total_admins_count : 1;
    double ry = y->total_admins_count ? (double)y->mfa_enabled_admins_count / (double)y->total_admins_count : 1;
    if (rx != ry) return rx < ry ? -1 : 1;
    return strcmp(x->display_name, y->display_name);
}

static const char *label(customer c) { return c->display_name[0] ? c->display_name : c->tenant_id; }

static int check(const secscore_request *req, secscore_finding *out, void *user) {
    (void)user;
    const Secscore__Tenant__V1__CustomerMfa *facet = secscore_request_facets(req)->customer_mfa;
    if (!facet) {
        secscore_finding_set_status(out, SECSCORE_COULD_NOT_CHECK);
        secscore_finding_add_insight(out, "customerMfa.json is missing from the snapshot.");
        return 0;
    }
    size_t n = facet->n_items, failing = 0, unknown = 0;
    int64_t admins = 0, admins_without = 0;
    customer *sorted = malloc((n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++) sorted[i] = facet->items[i];
    qsort(sorted, n, sizeof *sorted, worst_first);
    /* Count first, so the summary can lead the insights. */
    for (size_t i = 0; i < n; i++) {
        if (admins_unknown(sorted[i])) { unknown++; continue; }
        admins += sorted[i]->total_admins_count;
        admins_without += missing(sorted[i]) > 0 ? missing(sorted[i]) : 0;
        if (missing(sorted[i]) > 0) failing++;
    }
    if (failing > 0) {
        secscore_finding_add_insight(out, "%zu of %zu customers have admins without MFA (%lld of %lld admins), worst first:", failing, n,
                                     (long long)admins_without, (long long)admins);
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        customer c = sorted[i];
        if (secscore_request_expired(req)) {
            free(sorted);
            secscore_finding_fail(out, SECSCORE_CODE_DEADLINE_EXCEEDED, "stopped after %zu of %zu customers", i, n);
            return 1;
        }
        char counts[160];
        if (admins_unknown(c)) {
            snprintf(counts, sizeof counts, "%lld admins with MFA, total admins unknown", (long long)c->mfa_enabled_admins_count);
            secscore_item *item = secscore_finding_add_item(out, "customer", c->tenant_id, label(c), "unknown");
            secscore_item_add_reason(item, c->total_admins_count == 0
                                               ? "the export reports 0 admins, and every tenant has a Global Administrator: the admin data was not collected"
                                               : "the export has no totalAdminsCount for this customer");
            secscore_item_add_attribute(item, "counts", counts);
            continue;
        }
        snprintf(counts, sizeof counts, "%lld of %lld admins with MFA, %lld of %lld users with MFA",
                 (long long)c->mfa_enabled_admins_count, (long long)c->total_admins_count,
                 (long long)(c->mfa_enabled_admins_count + c->mfa_enabled_non_admins_count), (long long)c->total_users_count);
        int ok = missing(c) <= 0;
        secscore_item *item = secscore_finding_add_item(out, "customer", c->tenant_id, label(c), ok ? "compliant" : "notCompliant");
        secscore_item_add_attribute(item, "counts", counts);
        if (!ok) {
            secscore_item_add_reason(item, "%lld admin%s without MFA", (long long)missing(c), missing(c) == 1 ? "" : "s");
            if (++shown <= 10) secscore_finding_add_insight(out, "%s: %s.", label(c), counts);
        }
    }
    secscore_finding_add_metric(out, "customers", (double)n, "");
    secscore_finding_add_metric(out, "customersNotCompliant", (double)failing, "");
    secscore_finding_add_metric(out, "customersUnknown", (double)unknown, "");
    secscore_finding_add_metric(out, "customerAdminsWithoutMfa", (double)admins_without, "");
    if (failing > 10) secscore_finding_add_insight(out, "... and %zu more customers with admins without MFA.", failing - 10);
    if (failing > 0) {
        free(sorted);
        secscore_finding_set_status(out, SECSCORE_NOT_COMPLIANT);
        return 0;
    }
    if (unknown > 0) {
        secscore_finding_set_status(out, SECSCORE_COULD_NOT_CHECK);
        secscore_finding_add_insight(out, "%zu of %zu customers have no usable admin total in customerMfa.json (missing, or 0, which no tenant has), so whether all their admins use MFA is unknown.",
                                     unknown, n);
        size_t named = 0;
        for (size_t i = 0; i < n && named < 10; i++) {
            if (!admins_unknown(sorted[i])) continue;
            named++;
            secscore_finding_add_insight(out, "%s: %s.", label(sorted[i]),
                                         sorted[i]->total_admins_count == 0 ? "reports 0 admins" : "no admin total");
        }
        free(sorted);
        return 0;
    }
    free(sorted);
    secscore_finding_set_status(out, SECSCORE_COMPLIANT);
    if (n == 0) secscore_finding_add_insight(out, "No customers are listed in customerMfa.json.");
    else secscore_finding_add_insight(out, "All %lld admins across %zu customers have MFA enabled.", (long long)admins, n);
    return 0;
}

static const Secscore__Tenant__V1__Facet facets[] = {SECSCORE__TENANT__V1__FACET__FACET_CUSTOMER_MFA};

static const secscore_check checks[] = {{
    .requirement_id = "mfaEnforcedForAdminsOfCustomers",
    .title = "MFA for every admin in every customer tenant",
    .description = "From Partner Center's Customer MFA statistics: every customer's admins all have MFA enabled.",
    .required_facets = facets,
    .n_required_facets = 1,
    .evaluate = check,
}};

int main(int argc, char **argv) {
    const secscore_plugin plugin = {.name = "customer-mfa", .version = "1.0.0", .checks = checks, .n_checks = 1};
    return secscore_plugin_main(&plugin, argc, argv);
}
