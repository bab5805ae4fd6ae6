#pragma once

// The one owner of "host:port": parses what a user types or a session recorded ("host:port",
// "[v6]:port", a bare "v6:port" as old sessions wrote it, or for a listener just "port") and
// formats every address FinScope shows or saves, IPv6 always in brackets.

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
};

} // namespace finscope
