#pragma once

// The one owner of "host:port": parses what a user types or a session recorded ("host:port",
// "[v6]:port", a bare "v6:port" as old sessions wrote it, or for a listener just "port") and
// formats every address FinScope shows or saves, IPv6 always in brackets; and says whether an
// address a user gave can be listened on, and whether doing so exposes the port.

#include <QHostAddress>
#include <QString>

#include <optional>

namespace finscope {

struct HostPort
{
    QString host;
    quint16 port = 0;

    // hostOptional: a bare port is accepted (the host is then empty) and port 0 too.
    static std::optional<HostPort> parse(const QString &text, bool hostOptional, QString *error);

    // "host:port", "[v6]:port".
    static QString format(const QString &host, quint16 port);
    QString toString() const { return format(host, port); }

    // Where to listen, from the host a user gave: nullopt and *error "'example' is not an IP
    // address to listen on" unless it is an IP address or localhost. "" and "localhost" are
    // 127.0.0.1 (FinScope's default; localhost is the loopback by definition, RFC 6761, so no
    // lookup that could hang or name another machine). "::" is dual-stack (IPv4 clients too, as
    // Linux programs listening on :: are) unless v6only; v6only makes "" and localhost ::1, and is
    // refused for an IPv4 address.
    static std::optional<QHostAddress>
    listenAddress(const QString &host, QString *error, bool v6only = false);
    // True for "localhost" in any case, with or without the root's dot.
    static bool isLocalhost(const QString &host);
    // Whether listening on host lets other machines reach the port: an IP address that is not
    // loopback ("0.0.0.0", "::", a LAN address). Not an address at all exposes nothing.
    static bool exposesPort(const QString &host);
    // Whether host names this machine without asking anyone: an address in 127.0.0.0/8, ::1, or
    // the name localhost. Any other name is not looked up (a lookup is itself a message to a
    // server the text chose), so it counts as elsewhere.
    static bool isLoopback(const QString &host);
};

} // namespace finscope
