import Foundation

/// What no Microsoft API returns, from the config file `collect --config`
/// reads (docs/COLLECT.md): the partner type, the commerce experience, the
/// CSP onboarding date, and optionally an attested security contact.
/// Nothing here is ever guessed: a missing value stays missing and the
/// requirement that needs it is *could not check*.
package struct PartnerSettings: Sendable, Hashable {
    package var displayName: String?
    package var partnerType: String?
    package var commerceExperience: String?
    package var onboardedDate: String?
    /// `{"name", "email", "phone"}`, as attested by the person running collect.
    package var securityContact: Contact?

    package struct Contact: Sendable, Hashable {
        package var name: String
        package var email: String
        package var phone: String
        package init(name: String, email: String, phone: String) {
            self.name = name
            self.email = email
            self.phone = phone
        }
    }

    package init(displayName: String? = nil, partnerType: String? = nil, commerceExperience: String? = nil,
                onboardedDate: String? = nil, securityContact: Contact? = nil) {
        self.displayName = displayName
        self.partnerType = partnerType
        self.commerceExperience = commerceExperience
        self.onboardedDate = onboardedDate
        self.securityContact = securityContact
    }

    static let partnerTypes = ["directBill", "distributor", "indirectReseller"]
    static let commerceExperiences = ["newCommerce", "traditional"]

    /// Reads the config file: `{"displayName", "partnerType", "commerceExperience",
    /// "onboardedDate", "securityContact": {"name", "email", "phone"}}`, every key optional.
    /// - Throws: `CollectError.usage` naming the file and the bad key.
    package static func load(_ path: String) throws(CollectError) -> PartnerSettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CollectError(.usage, "--config \(path): cannot read the file")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CollectError(.usage, "--config \(path): expected a JSON object")
        }
        let known: Set<String> = ["displayName", "partnerType", "commerceExperience", "onboardedDate", "securityContact"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw CollectError(.usage, "--config \(path): unknown key \"\(unknown)\"; expected \(known.sorted().joined(separator: ", "))")
        }
        func string(_ key: String) throws(CollectError) -> String? {
            guard let value = object[key] else { return nil }
            guard let s = value as? String else { throw CollectError(.usage, "--config \(path): \(key): expected a string") }
            return s
        }
        var settings = PartnerSettings()
        settings.displayName = try string("displayName")
        settings.partnerType = try string("partnerType")
        settings.commerceExperience = try string("commerceExperience")
        settings.onboardedDate = try string("onboardedDate")
        if let contact = object["securityContact"] {
            guard let c = contact as? [String: Any], let name = c["name"] as? String, let email = c["email"] as? String,
                  let phone = c["phone"] as? String
            else {
                throw CollectError(.usage, "--config \(path): securityContact: expected {\"name\", \"email\", \"phone\"}, all strings")
            }
            settings.securityContact = Contact(name: name, email: email, phone: phone)
        }
        try settings.validate(source: "--config \(path)")
        return settings
    }

    /// Refuses values `secscore evaluate` would refuse.
    package func validate(source: String) throws(CollectError) {
        if let partnerType, !Self.partnerTypes.contains(partnerType) {
            throw CollectError(.usage, "\(source): partnerType \"\(partnerType)\": expected \(Self.partnerTypes.joined(separator: ", "))")
        }
        if let commerceExperience, !Self.commerceExperiences.contains(commerceExperience) {
            throw CollectError(.usage, "\(source): commerceExperience \"\(commerceExperience)\": expected newCommerce or traditional")
        }
        if let onboardedDate {
            let parts = onboardedDate.split(separator: "-")
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, parts.allSatisfy({ Int($0) != nil }) else {
                throw CollectError(.usage, "\(source): onboardedDate \"\(onboardedDate)\": expected YYYY-MM-DD")
            }
        }
    }

    /// The keys partner.json lacks for want of a value, for the notice collect prints.
    package var missing: [String] {
        var out: [String] = []
        if partnerType == nil { out.append("partnerType") }
        if commerceExperience == nil { out.append("commerceExperience") }
        if onboardedDate == nil { out.append("onboardedDate") }
        return out
    }
}

/// A text file's contents, nil when it cannot be read (for the CLI, which
/// keeps Foundation out of its own files).
package func readTextFile(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

extension ClientCertificate {
    /// True once the certificate's validity has ended.
    package var isExpired: Bool { notValidAfter < Date() }
    /// When it ends, as ISO 8601.
    package var expiry: String { ISO8601DateFormatter().string(from: notValidAfter) }
}
