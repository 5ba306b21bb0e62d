import SecScoreJSON

/// Graph's collection responses, `{"value": [...]}`, and the other shapes
/// exports take: a bare array, or one entity.
extension SnapshotLoader {
    /// A small collection file read as one tree, then decoded; nil when the
    /// file does not exist.
    static func treeCollection<T>(
        _ path: String, decode: (JSONNode) throws(SnapshotError) -> T
    ) throws(SnapshotError) -> [T]? {
        guard let node = try readJSON(path) else { return nil }
        return try collection(node).map(decode)
    }

    /// A collection file decoded item by item as it is parsed, with the same
    /// rules and messages as `collection`: the big collections (users,
    /// registrations, alerts, customers, subscriptions) never exist as one
    /// JSON tree. Nil when the file does not exist.
    static func streamedCollection<T>(
        _ path: String, idKey: String = "id", decode: (JSONNode) throws(SnapshotError) -> T
    ) throws(SnapshotError) -> [T]? {
        try withUTF8Bytes(path) { bytes, parsedUpTo throws(SnapshotError) in
            try streamedCollection(bytes, path: path, idKey: idKey, parsedUpTo: parsedUpTo, decode: decode)
        }
    }

    private static func streamedCollection<T>(
        _ bytes: UnsafeRawBufferPointer, path: String, idKey: String, parsedUpTo: (Int) -> Void,
        decode: (JSONNode) throws(SnapshotError) -> T
    ) throws(SnapshotError) -> [T] {
        var items: [T] = []
        // Graph's items take hundreds of bytes of JSON, so one slot per 64
        // bytes is seldom outgrown (the array still grows if it is). What
        // is reserved and not filled is address space only, its pages
        // never touched, and never more than the file's size. Growing by
        // doubling instead copied the 1,000,000 users' array (140 MB) on
        // the way: 58,000 more page faults for that evaluation (perf stat).
        items.reserveCapacity(min(bytes.count / 64, bytes.count / max(MemoryLayout<T>.stride, 1)))
        // Ids are recorded in batches (`IDIndex.insertLater`), so a repeat
        // may be found a few items after it was read. Whatever stops the
        // parse later (an item's error, a syntax error) first records the
        // batch: the first repeat is still the error reported, as when
        // each id was recorded at once.
        var seen = IDIndex()
        var arrayPath = "$.value"
        func repeated(_ r: IDIndex.Repeat) -> SnapshotError {
            repeatedID(
                r.id, at: JSONNode.snapshot(element: .null, at: r.position, of: arrayPath, file: path), idKey: idKey,
                firstUsedAt: "\(arrayPath)[\(r.firstPosition)]")
        }
        let parsed: (document: JSONValue, streamed: Bool)
        do {
            parsed = try JSONParser.parseCollection(bytes, consumed: parsedUpTo) { value, index, bare throws(SnapshotError) in
                arrayPath = bare ? "$" : "$.value"
                let node = JSONNode.snapshot(element: value, at: index, of: arrayPath, file: path)
                if let id = try itemID(node, idKey: idKey), let r = seen.insertLater(id, at: index) { throw repeated(r) }
                items.append(try decode(node))
            }
        } catch {
            // An item's error and a syntax error both come here.
            if let r = seen.flush() { throw repeated(r) }
            switch error {
            case .syntax(let e): throw SnapshotError(.syntax, file: path, path: "", "is not valid JSON: \(e)")
            case .item(let e): throw e
            }
        }
        if let r = seen.flush() { throw repeated(r) }
        let top = JSONNode.snapshot(parsed.document, file: path)
        switch parsed.document {
        case .array:
            return items
        case .object:
            try refuseLaterPages(top)
            if parsed.streamed { return items }
            if let value = top.member("value") {
                _ = try value.elements()  // not an array: says so
                return items
            }
            guard parsed.document[idKey] != nil else { throw missingValue(top) }
            var none = IDIndex()
            try checkItem(top, position: 0, idKey: idKey, seen: &none, path: { _ in "$" })
            return [try decode(top)]
        default:
            throw notACollection(top)
        }
    }

    /// An item's id: nil when it has none (or an empty one).
    /// - Throws: when the item is not an object or its id not a string.
    private static func itemID(_ item: JSONNode, idKey: String) throws(SnapshotError) -> String? {
        _ = try item.object()
        let id = try item.string(idKey) ?? ""
        return id.isEmpty ? nil : id
    }

    /// The error for an id used twice: at the later item, naming the path
    /// of the first.
    private static func repeatedID(_ id: String, at item: JSONNode, idKey: String, firstUsedAt: String) -> SnapshotError {
        item.fail(idKey, "duplicate \(idKey) \"\(id)\", already used at \(firstUsedAt)")
    }

    /// An item must be an object, and its id (when it has one) unique.
    private static func checkItem(
        _ item: JSONNode, position: Int, idKey: String, seen: inout IDIndex, path: (Int) -> String
    ) throws(SnapshotError) {
        guard let id = try itemID(item, idKey: idKey) else { return }
        if let first = seen.insert(id, at: position) {
            throw repeatedID(id, at: item, idKey: idKey, firstUsedAt: path(first))
        }
    }

    private static func refuseLaterPages(_ node: JSONNode) throws(SnapshotError) {
        if node.present("@odata.nextLink") != nil {
            throw node.fail(
                "@odata.nextLink",
                "is set: this file holds only the first page of the results; fetch every page (e.g. az rest with --url on each nextLink) and put all items in one \"value\" array")
        }
    }

    private static func missingValue(_ node: JSONNode) -> SnapshotError {
        node.fail("value", "is missing; expected the collection response {\"value\": [...]}, a bare array, or one item")
    }

    private static func notACollection(_ node: JSONNode) -> SnapshotError {
        node.fail("expected a collection response {\"value\": [...]}, found \(node.value.kind)")
    }

    /// The items of a collection response: `{"value": [...]}` as Graph sends
    /// it, a bare array, or a single item (a GET of one entity). Refuses a
    /// first page whose `@odata.nextLink` says more pages exist, and
    /// duplicate ids.
    static func collection(_ node: JSONNode, idKey: String = "id") throws(SnapshotError) -> [JSONNode] {
        let items: [JSONNode]
        switch node.value {
        case .array:
            items = try node.elements()
        case .object:
            try refuseLaterPages(node)
            if let value = node.member("value") {
                items = try value.elements()
            } else if node.value[idKey] != nil {
                // A single entity, as a GET of one item returns it.
                items = [node]
            } else {
                throw missingValue(node)
            }
        default:
            throw notACollection(node)
        }
        var seen = IDIndex()
        for (position, item) in items.enumerated() {
            try checkItem(item, position: position, idKey: idKey, seen: &seen, path: { items[$0].path })
        }
        return items
    }
}
