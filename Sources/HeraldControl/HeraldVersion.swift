/// Herald's release version: what `heraldd --version` and `heraldctl --version` print, what the
/// admin socket's hello names, and what `make deb` calls the package (the Makefile reads it from
/// this line, so it is written in one place only).
public enum HeraldVersion {
    public static let current = "0.6.0"
}
