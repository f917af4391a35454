import CCurl

/// Why a ``CurlMulti`` could not be created.
public enum CurlMultiError: Error, CustomStringConvertible, Equatable {
    case libcurlInitFailed(code: Int32)
    case multiHandleUnavailable
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .libcurlInitFailed(code):
            "libcurl global initialisation failed (CURLcode \(code): \(String(cString: curl_easy_strerror(CURLcode(UInt32(bitPattern: code)))))); check that libcurl and its TLS library are installed correctly"
        case .multiHandleUnavailable:
            "libcurl could not create a multi handle (out of memory or file descriptors); raise the process's open-file limit or free memory"
        case let .invalidConfiguration(detail):
            "invalid HTTP client configuration: \(detail)"
        }
    }
}
