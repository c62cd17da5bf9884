import Foundation

/// User plus system CPU time, in seconds.
enum CPUTime {
  /// Of this process (all threads).
  static func ownProcess() -> Double { seconds(RUSAGE_SELF) }

  private static func seconds(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who.rawValue), &usage)
    func value(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return value(usage.ru_utime) + value(usage.ru_stime)
  }
}
