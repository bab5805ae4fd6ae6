#pragma once

// Parses the addresses finscope-cli takes: "host:port", "[v6]:port", or for a listener just
// "port".

#include <QString>

#include <optional>

namespace finscope {

struct HostPort
{
    QString host;
    quint16 port = 0;

    // hostOptional: a bare port is accepted (the host is then empty) and port 0 too.
    static std::optional<HostPort> parse(const QString &text, bool hostOptional, QString *error);
};

} // namespace finscope
