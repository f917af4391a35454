import HeraldControl
import NIOCore

/// A frame of the admin socket: a complete line, or word that a line was too long.
enum AdminFrame: Sendable {
    case line(ByteBuffer)
    /// The line exceeded `AdminProtocol.maxLineBytes`; its bytes up to the next newline are dropped
    /// so that the connection can go on with the next request.
    case oversized
}

/// Splits the byte stream at newlines without ever buffering more than one maximal line.
struct AdminLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = AdminFrame
    private var discarding = false
    private let limit: Int

    init(limit: Int = AdminProtocol.maxLineBytes) {
        self.limit = limit
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > limit {
                if !discarding {
                    discarding = true
                    context.fireChannelRead(wrapInboundOut(.oversized))
                }
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        if discarding || length > limit {
            buffer.moveReaderIndex(to: newline + 1)
            if !discarding { context.fireChannelRead(wrapInboundOut(.oversized)) }
            discarding = false
            return .continue
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        // Tolerate CRLF from hand-typed sessions (socat, nc -C).
        if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)! }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last request without its newline is still answered.
        if !discarding, buffer.readableBytes > 0, buffer.readableBytes <= limit, let line = buffer.readSlice(length: buffer.readableBytes) {
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
