#include "engine/core/hostport.h"

namespace finscope {

std::optional<HostPort> HostPort::parse(const QString &text, bool hostOptional, QString *error)
{
    HostPort out;
    QString portText = text;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(QLatin1StringView("]:"));
        if (close < 0) {
            *error = QStringLiteral("'%1': expected [ADDRESS]:PORT").arg(text);
            return std::nullopt;
        }
        out.host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else if (const qsizetype colon = text.lastIndexOf(u':'); colon >= 0) {
        out.host = text.left(colon);
        portText = text.mid(colon + 1);
    } else if (!hostOptional) {
        *error = QStringLiteral("'%1': expected HOST:PORT").arg(text);
        return std::nullopt;
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535 || (!hostOptional && port == 0)) {
        *error = QStringLiteral("'%1': bad port '%2' (expected %3 to 65535)")
                     .arg(text, portText, hostOptional ? QStringLiteral("0") : QStringLiteral("1"));
        return std::nullopt;
    }
    if (!hostOptional && out.host.isEmpty()) {
        *error = QStringLiteral("'%1': the host is missing").arg(text);
        return std::nullopt;
    }
    out.port = quint16(port);
    return out;
}

QString HostPort::format(const QString &host, quint16 port)
{
    if (host.contains(u':') && !host.startsWith(u'['))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

bool HostPort::isLocalhost(const QString &host)
{
    return host.compare(QLatin1StringView("localhost"), Qt::CaseInsensitive) == 0
           || host.compare(QLatin1StringView("localhost."), Qt::CaseInsensitive) == 0;
}

bool HostPort::isLoopback(const QString &host)
{
    if (isLocalhost(host))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

std::optional<QHostAddress>
HostPort::listenAddress(const QString &host, QString *error, bool v6only)
{
    if (host.isEmpty() || isLocalhost(host))
        return QHostAddress(v6only ? QHostAddress::LocalHostIPv6 : QHostAddress::LocalHost);
    const QHostAddress address(host);
    if (address.isNull()) {
        *error = QStringLiteral("'%1' is not an IP address to listen on").arg(host);
        return std::nullopt;
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol) {
        if (v6only) {
            *error = QStringLiteral("'%1' is an IPv4 address: IPv6 only needs an IPv6 address "
                                    "to listen on, such as '::'")
                         .arg(host);
            return std::nullopt;
        }
        return address;
    }
    // Qt binds QHostAddress::Any as :: with IPV6_V6ONLY off, and a parsed "::" (AnyIPv6) with it
    // on. Other IPv6 addresses cannot receive IPv4 connections either way.
    if (address == QHostAddress(QHostAddress::AnyIPv6) && !v6only)
        return QHostAddress(QHostAddress::Any);
    return address;
}

bool HostPort::exposesPort(const QString &host)
{
    const QHostAddress address(host);
    return !address.isNull() && !address.isLoopback();
}

} // namespace finscope
