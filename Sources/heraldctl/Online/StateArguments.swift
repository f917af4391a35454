import ArgumentParser
import HeraldCore

// States and held reasons are typed on the wire: a misspelt one is refused here, listing the
// names there are, before anything is sent.
extension MessageState: ExpressibleByArgument {}
extension HeldReason: ExpressibleByArgument {}
