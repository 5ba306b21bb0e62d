// The JSON layer's types are part of this module's API: a loader's error is
// its `JSONInputError`, and callers read `JSONValue`s of policies.
@_exported public import SecScoreJSON

/// Bad snapshot input: names the file, the JSON path and what was expected.
/// The JSON layer's one input error, under the name callers catch.
public typealias SnapshotError = JSONInputError
