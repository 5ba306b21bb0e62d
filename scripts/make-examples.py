#!/usr/bin/env python3
"""Writes the example snapshots under Examples/snapshots/ in the exact shapes
Microsoft Graph and Partner Center return (see Tests/Fixtures/graph-shapes).
The files are committed; rerun this after changing a scenario, then
re-record the golden reports (make record-golden)."""
import json, os, sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "Examples", "snapshots")
GA, AUTH, BILL, CAA, EXCH, HELP, SEC, SPO, USERADM = (
    "62e90394-69f5-4237-9190-012177145e10", "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "29232cdf-9323-42fd-ade2-1d097af3e4de", "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "194ae4cb-b126-40b2-bd5b-6091b380977d", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "fe930be7-5e62-47db-91af-98c3a49a38b1")
READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Global Reader: not an admin role here
ROLE_NAMES = {GA: "Global Administrator", AUTH: "Authentication Administrator", BILL: "Billing Administrator",
              CAA: "Conditional Access Administrator", EXCH: "Exchange Administrator", HELP: "Helpdesk Administrator",
              SEC: "Security Administrator", SPO: "SharePoint Administrator", USERADM: "User Administrator",
              READER: "Global Reader"}
GRAPH = "https://graph.microsoft.com/v1.0/$metadata#"

def write(folder, name, body):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w") as f:
        json.dump(body, f, indent=2)
        f.write("\n")

def uid(n): return "00000000-0000-4000-8000-%012d" % n

def user(n, upn, name, state=None, enabled=True, kind="Member"):
    u = {"id": uid(n), "displayName": name, "userPrincipalName": upn, "accountEnabled": enabled, "userType": kind}
    if state: u["perUserMfaState"] = state
    return u

def assignment(n, role, u):
    return {"id": "a%d-%s" % (n, role[:8]), "principalId": u["id"], "resourceScope": "/", "directoryScopeId": "/",
            "roleDefinitionId": role,
            "principal": {"@odata.type": "#microsoft.graph.user", "id": u["id"], "accountEnabled": u["accountEnabled"],
                          "displayName": u["displayName"], "userPrincipalName": u["userPrincipalName"], "userType": u["userType"]}}

def group_assignment(n, role, g):
    return {"id": "g%d-%s" % (n, role[:8]), "principalId": g["id"], "resourceScope": "/", "directoryScopeId": "/",
            "roleDefinitionId": role,
            "principal": {"@odata.type": "#microsoft.graph.group", "id": g["id"], "displayName": g["displayName"]}}

def eligibility(n, role, u, start="2025-01-10T09:00:00Z", end=None):
    return {"id": "e%d" % n, "principalId": u["id"], "roleDefinitionId": role, "directoryScopeId": "/", "appScopeId": None,
            "createdUsing": "e%d" % n, "createdDateTime": start, "modifiedDateTime": "0001-01-01T08:00:00Z",
            "status": "Provisioned", "memberType": "Direct",
            "scheduleInfo": {"startDateTime": start, "recurrence": None,
                             "expiration": {"type": "afterDateTime" if end else "noExpiration", "endDateTime": end, "duration": None}}}

def registration(u, registered=True, admin=True, methods=None):
    return {"id": u["id"], "userPrincipalName": u["userPrincipalName"], "userDisplayName": u["displayName"],
            "userType": u["userType"].lower(), "isAdmin": admin, "isSsprRegistered": registered, "isSsprEnabled": True,
            "isSsprCapable": registered, "isMfaRegistered": registered, "isMfaCapable": registered,
            "isPasswordlessCapable": False, "lastUpdatedDateTime": "2025-11-01T06:12:00.1234567Z",
            "methodsRegistered": (methods if methods is not None else (["microsoftAuthenticatorPush", "softwareOneTimePasscode"] if registered else [])),
            "isSystemPreferredAuthenticationMethodEnabled": True,
            "systemPreferredAuthenticationMethods": ["push"] if registered else [],
            "userPreferredMethodForSecondaryAuthentication": "push" if registered else ""}

def policy(pid, name, state="enabled", include_users=("All",), exclude_users=(), include_groups=(), exclude_groups=(),
           include_roles=(), exclude_roles=(), controls=("mfa",), operator="OR", custom=(), strength=None,
           sign_in_risk=(), apps=("All",)):
    return {"id": pid, "templateId": None, "displayName": name, "createdDateTime": "2024-05-02T10:00:00Z",
            "modifiedDateTime": "2025-09-12T08:30:00Z", "state": state, "sessionControls": None,
            "conditions": {"userRiskLevels": [], "signInRiskLevels": list(sign_in_risk), "clientAppTypes": ["all"],
                           "platforms": None, "locations": None, "times": None, "deviceStates": None, "devices": None,
                           "clientApplications": None,
                           "applications": {"includeApplications": list(apps), "excludeApplications": [], "includeUserActions": [],
                                            "includeAuthenticationContextClassReferences": [], "applicationFilter": None},
                           "users": {"includeUsers": list(include_users), "excludeUsers": list(exclude_users),
                                     "includeGroups": list(include_groups), "excludeGroups": list(exclude_groups),
                                     "includeRoles": list(include_roles), "excludeRoles": list(exclude_roles),
                                     "includeGuestsOrExternalUsers": None, "excludeGuestsOrExternalUsers": None}},
            "grantControls": {"operator": operator, "builtInControls": list(controls), "customAuthenticationFactors": list(custom),
                              "termsOfUse": [],
                              "authenticationStrength@odata.context": GRAPH + "policies/conditionalAccessPolicies('%s')/grantControls/authenticationStrength/$entity" % pid,
                              "authenticationStrength": strength}}

def alert(aid, name, detected, changes=(), resolved=None, reason=None, status="resolved", customer="c-0001", is_test=False):
    logs = [{"statusFrom": a, "statusTo": b, "updatedBy": by, "updatedDateTime": t} for (a, b, by, t) in changes]
    return {"id": aid, "displayName": name, "description": name, "alertType": "networkConnectionsToCryptoMiningPools",
            "status": status, "severity": "high", "confidenceLevel": "medium", "customerTenantId": customer,
            "subscriptionId": "5f6e6521-6e5f-4b0b-80aa-bd44fad7a398", "valueAddedResellerTenantId": None,
            "catalogOfferId": "MS-AZR-0017G", "detectedDateTime": detected, "firstObservedDateTime": detected,
            "lastObservedDateTime": detected, "resolvedReason": reason, "resolvedOnDateTime": resolved,
            "resolvedBy": changes[-1][2] if changes else None, "isTest": is_test,
            "affectedResources": [{"resourceId": "/subscriptions/5f6e6521/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
                                   "resourceType": "AzureResource"}],
            "activityLogs": logs, "additionalDetails": {"VM_IP": "[  \"10.0.0.4\"]", "ConnectionCount": "5"}}

def role_definitions():
    return {"@odata.context": GRAPH + "roleManagement/directory/roleDefinitions",
            "value": [{"id": rid, "description": name, "displayName": name, "isBuiltIn": True, "isEnabled": True,
                       "templateId": rid, "version": "1", "rolePermissions": [], "inheritsPermissionsFrom": []}
                      for rid, name in sorted(ROLE_NAMES.items(), key=lambda kv: kv[1])]}

def collection(kind, items): return {"@odata.context": GRAPH + kind, "value": items}

def standard(folder, partner, contact, users, assignments, eligibilities, groups, registrations, defaults, policies,
             alerts, customers, budgets):
    write(folder, "partner.json", partner)
    if contact is not None: write(folder, "securityContact.json", contact)
    write(folder, "roleDefinitions.json", role_definitions())
    write(folder, "roleAssignments.json", collection("roleManagement/directory/roleAssignments(principal())", assignments))
    if eligibilities is not None: write(folder, "roleEligibilitySchedules.json", collection("roleManagement/directory/roleEligibilitySchedules", eligibilities))
    write(folder, "users.json", collection("users(id,userPrincipalName,displayName,accountEnabled,userType)", users))
    if groups is not None: write(folder, "groups.json", collection("groups(id,displayName,members(id))", groups))
    write(folder, "userRegistrationDetails.json", collection("reports/authenticationMethods/userRegistrationDetails", registrations))
    write(folder, "securityDefaults.json", {"@odata.context": GRAPH + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                                            "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
                                            "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
                                            "isEnabled": defaults})
    write(folder, "conditionalAccessPolicies.json", {"@odata.context": GRAPH + "conditionalAccess/policies", "value": policies})
    if alerts is not None: write(folder, "securityAlerts.json", {"value": alerts})
    if customers is not None: write(folder, "customerMfa.json", {"value": customers})
    if budgets is not None: write(folder, "spendingBudgets.json", {"value": budgets})

def customer(tid, name, admins, with_mfa, nonadmin_mfa, users):
    return {"tenantId": tid, "displayName": name, "totalAdminsCount": admins, "mfaEnabledAdminsCount": with_mfa,
            "mfaEnabledNonAdminsCount": nonadmin_mfa, "totalUsersCount": users}

def budget(tid, name, subs, amount=None, used=None):
    return {"customerTenantId": tid, "customerName": name, "subscriptionIds": subs,
            "budget": {"amount": amount} if amount is not None else None, "percentUsed": used}

# ---------------------------------------------------------------------------
def contoso():
    """A direct-bill partner that meets every requirement."""
    d = os.path.join(ROOT, "contoso-direct-bill")
    alice = user(1, "alice@contoso.com", "Alice Adams")
    bg = user(2, "breakglass1@contoso.onmicrosoft.com", "Emergency Access 1")
    bob = user(3, "bob@contoso.com", "Bob Brown")
    carol = user(4, "carol@contoso.com", "Carol Chen")
    dave = user(5, "dave@contoso.com", "Dave Diaz")
    users = [alice, bg, bob, carol, dave]
    standard(d,
             {"tenantId": "8f3e2a10-5d2c-4c1e-9d7a-2f6b0c9e1a11", "displayName": "Contoso Cloud Services",
              "partnerType": "directBill", "commerceExperience": "newCommerce", "onboardedDate": "2019-03-14"},
             {"name": "Contoso Security Operations", "email": "soc@contoso.com", "phone": "+1 425 555 0100"},
             users, [assignment(1, GA, alice), assignment(2, GA, bg), assignment(3, SEC, bob), assignment(4, READER, dave)],
             [eligibility(1, USERADM, carol)],
             [{"id": "grp-breakglass", "displayName": "Emergency access accounts", "members": [{"@odata.type": "#microsoft.graph.user", "id": bg["id"]}]}],
             [registration(u) for u in users], False,
             [policy("pol-all-mfa", "Require MFA for all users", include_users=("All",), strength={
                  "id": "00000000-0000-0000-0000-000000000002", "createdDateTime": "2021-12-01T08:00:00Z",
                  "modifiedDateTime": "2021-12-01T08:00:00Z", "displayName": "Multifactor authentication",
                  "description": "Combinations of methods that satisfy strong authentication, such as a password + SMS",
                  "policyType": "builtIn", "requirementsSatisfied": "mfa",
                  "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
                                          "password,microsoftAuthenticatorPush", "password,softwareOath"],
                  "combinationConfigurations@odata.context": GRAPH + "combinationConfigurations", "combinationConfigurations": []},
                  controls=()),
              policy("pol-legacy", "Block legacy authentication", controls=("block",))],
             [alert("al-1", "Virtual machine connecting to crypto currency mining pool", "2025-11-03T08:00:00Z",
                    [("active", "investigating", "bob@contoso.com", "2025-11-03T08:25:00Z"),
                     ("investigating", "resolved", "bob@contoso.com", "2025-11-03T11:00:00Z")],
                    "2025-11-03T11:00:00Z", "fraud"),
              alert("al-2", "Unusual Azure consumption", "2025-11-08T21:30:00Z",
                    [("active", "resolved", "alice@contoso.com", "2025-11-09T02:30:00Z")], "2025-11-09T02:30:00Z", "notFraud"),
              alert("al-3", "Suspicious sign-in to customer subscription", "2025-10-25T10:00:00Z",
                    [("active", "investigating", "bob@contoso.com", "2025-10-25T10:40:00Z")], None, None, status="investigating"),
              alert("al-old", "Old alert outside the window", "2025-09-01T10:00:00Z",
                    [("active", "resolved", "bob@contoso.com", "2025-09-04T10:00:00Z")], "2025-09-04T10:00:00Z", "fraud")],
             [customer("c-0001", "Adatum Corporation", 3, 3, 40, 52), customer("c-0002", "Litware Inc", 2, 2, 10, 14),
              customer("c-0003", "Proseware", 1, 1, 5, 6)],
             [budget("c-0001", "Adatum Corporation", ["sub-a1", "sub-a2"], 5000, 42.5),
              budget("c-0002", "Litware Inc", ["sub-l1"], 1200, 85.0),
              budget("c-0003", "Proseware", [])])

def fabrikam():
    """A distributor failing several requirements."""
    d = os.path.join(ROOT, "fabrikam-distributor")
    erin = user(11, "erin@fabrikam.com", "Erin Evans")
    bg = user(12, "breakglass@fabrikam.onmicrosoft.com", "Break Glass")
    frank = user(13, "frank@fabrikam.com", "Frank Fischer")
    gina = user(14, "gina@fabrikam.com", "Gina Gupta")
    hal = user(15, "hal@fabrikam.com", "Hal Hughes", enabled=False)
    users = [erin, bg, frank, gina, hal]
    standard(d,
             {"tenantId": "2c4b6d8e-1f3a-4b5c-8d7e-9f0a1b2c3d4e", "displayName": "Fabrikam Distribution",
              "partnerType": "indirectProvider", "commerceExperience": "newCommerce", "onboardedDate": "2021-07-20"},
             {"name": "Fabrikam SOC", "email": "security@fabrikam.com", "phone": "+44 20 7946 0018"},
             users, [assignment(11, GA, erin), assignment(12, GA, bg), assignment(13, EXCH, frank), assignment(15, GA, hal)],
             [eligibility(14, SEC, gina)],
             [{"id": "grp-bg", "displayName": "Break glass", "members": [{"@odata.type": "#microsoft.graph.user", "id": bg["id"]}]}],
             [registration(erin), registration(bg), registration(frank, registered=False), registration(gina), registration(hal)],
             False,
             [policy("pol-admins", "Require MFA for admins", include_users=(), include_roles=(GA, EXCH, SEC, USERADM),
                     exclude_groups=("grp-bg",)),
              policy("pol-all", "MFA for everyone (pilot)", state="enabledForReportingButNotEnforced"),
              policy("pol-risky", "MFA on risky sign-ins", sign_in_risk=("high", "medium"))],
             [alert("fa-1", "Virtual machine connecting to crypto currency mining pool", "2025-11-10T03:00:00Z",
                    [("active", "resolved", "erin@fabrikam.com", "2025-11-12T09:00:00Z")], "2025-11-12T09:00:00Z", None),
              alert("fa-2", "Unusual Azure consumption", "2025-11-13T12:00:00Z", [], None, None, status="active"),
              alert("fa-3", "Suspicious sign-in to customer subscription", "2025-10-30T08:00:00Z",
                    [("active", "investigating", "erin@fabrikam.com", "2025-10-30T08:45:00Z")], None, None, status="investigating"),
              alert("fa-test", "Test alert", "2025-11-05T08:00:00Z", [], None, None, status="active", is_test=True)],
             [customer("c-1001", "Alpine Ski House", 4, 2, 80, 120), customer("c-1002", "Coho Winery", 2, 2, 9, 15),
              customer("c-1003", "Wide World Importers", 5, 1, 30, 210), customer("c-1004", "Tailwind Traders", 1, 1, 3, 4)],
             [budget("c-1001", "Alpine Ski House", ["sub-1", "sub-2", "sub-3"], 10000, 91.0),
              budget("c-1002", "Coho Winery", ["sub-4"]),
              budget("c-1003", "Wide World Importers", ["sub-5", "sub-6"], 800, 12.0)])

def northwind():
    """An indirect reseller: alert response does not apply."""
    d = os.path.join(ROOT, "northwind-indirect-reseller")
    ivan = user(21, "ivan@northwind.com", "Ivan Ivanov")
    jade = user(22, "jade@northwind.com", "Jade Jones")
    users = [ivan, jade]
    standard(d,
             {"tenantId": "7a1b2c3d-4e5f-4a6b-8c9d-0e1f2a3b4c5d", "displayName": "Northwind IT Partners",
              "partnerType": "indirectReseller", "commerceExperience": "newCommerce", "onboardedDate": "2023-12-02"},
             {"name": "Ivan Ivanov", "email": "ivan@northwind.com", "phone": ""},
             users, [assignment(21, GA, ivan), assignment(22, BILL, jade)], None, None,
             [registration(ivan), registration(jade)], True, [], None,
             [customer("c-2001", "Fourth Coffee", 2, 2, 6, 9)],
             [budget("c-2001", "Fourth Coffee", ["sub-9"], 300, 20.0)])

def tailspin():
    """A direct-bill partner on the traditional commerce experience."""
    d = os.path.join(ROOT, "tailspin-traditional")
    kim = user(31, "kim@tailspin.com", "Kim Kowalski", state="enforced")
    lee = user(32, "lee@tailspin.com", "Lee Lam", state="enabled")
    users = [kim, lee]
    standard(d,
             {"tenantId": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "displayName": "Tailspin Toys Cloud",
              "partnerType": "directBill", "commerceExperience": "traditional", "onboardedDate": "2017-11-08"},
             {"name": "Tailspin Security Desk", "email": "secdesk@tailspintoys.com", "phone": "(425) 555-0199"},
             users, [assignment(31, GA, kim), assignment(32, HELP, lee)], [], [],
             [registration(kim), registration(lee)], False, [],
             [alert("ta-1", "Unusual Azure consumption", "2025-11-02T09:00:00Z",
                    [("active", "resolved", "kim@tailspin.com", "2025-11-02T09:40:00Z")], "2025-11-02T09:40:00Z", "notFraud")],
             [customer("c-3001", "Blue Yonder Airlines", 3, 3, 25, 31)],
             [budget("c-3001", "Blue Yonder Airlines", ["sub-t1"], 2500, 50.0)])

def woodgrove():
    """A partner evaluated under the 2024 edition, with third-party MFA through a custom control."""
    d = os.path.join(ROOT, "woodgrove-2024")
    max_ = user(41, "max@woodgrove.com", "Max Müller")
    nia = user(42, "nia@woodgrove.com", "Nia Nakamura")
    users = [max_, nia]
    standard(d,
             {"tenantId": "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "displayName": "Woodgrove Partners",
              "partnerType": "directBill", "commerceExperience": "newCommerce", "onboardedDate": "2020-06-30"},
             {"name": "Woodgrove SOC", "email": "soc@woodgrove.com", "phone": "+49 30 901820"},
             users, [assignment(41, GA, max_), assignment(42, SEC, nia)], [], [],
             [registration(max_), registration(nia)], False,
             [policy("pol-duo", "Duo MFA for all users", controls=(), custom=("Duo-MFA",))],
             [alert("wa-1", "Suspicious sign-in to customer subscription", "2025-05-20T10:00:00Z",
                    [("active", "resolved", "nia@woodgrove.com", "2025-05-20T13:00:00Z")], "2025-05-20T13:00:00Z", "fraud")],
             [customer("c-4001", "Graphic Design Institute", 2, 1, 12, 20)],
             [budget("c-4001", "Graphic Design Institute", ["sub-w1"], 700, 30.0)])

for f in (contoso, fabrikam, northwind, tailspin, woodgrove):
    f()
print("wrote", ", ".join(sorted(os.listdir(ROOT))))
