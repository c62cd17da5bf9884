/// A problem with a configuration file, naming the file and the key.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file read.
  public var file: String
  /// The dotted key path, e.g. `cluster.networks.upstream.ipv4.netmask` (empty for the whole file).
  public var key: String
  /// What is wrong with it.
  public var problem: String

  /// Creates an error about `key` in `file`.
  public init(file: String, key: String, problem: String) {
    self.file = file
    self.key = key
    self.problem = problem
  }

  public var description: String {
    key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)"
  }
}
