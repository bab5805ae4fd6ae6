#include "engine/core/event.h"

#include <QHash>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace finscope {

namespace {

template<typename Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, const char *>, N> &table,
                           QStringView name)
{
    for (const auto &[value, text] : table) {
        if (name == QLatin1StringView(text))
            return value;
    }
    return std::nullopt;
}

template<typename Enum, size_t N>
QString nameOf(const std::array<std::pair<Enum, const char *>, N> &table, Enum value)
{
    for (const auto &[v, text] : table) {
        if (v == value)
            return QString::fromLatin1(text);
    }
    return QString();
}

constexpr std::array<std::pair<Side, const char *>, 2> sides{{
    {Side::Client, "client"},
    {Side::Server, "server"},
}};

constexpr std::array<std::pair<EventKind, const char *>, 13> kinds{{
    {EventKind::Listen, "listen"},
    {EventKind::Connect, "connect"},
    {EventKind::Accept, "accept"},
    {EventKind::Send, "send"},
    {EventKind::Recv, "recv"},
    {EventKind::Shutdown, "shutdown"},
    {EventKind::Eof, "eof"},
    {EventKind::Rst, "rst"},
    {EventKind::Error, "error"},
    {EventKind::Close, "close"},
    {EventKind::Abort, "abort"},
    {EventKind::State, "state"},
    {EventKind::Queue, "queue"},
}};

constexpr std::array<std::pair<Via, const char *>, 3> vias{{
    {Via::Call, "call"},
    {Via::Notify, "notify"},
    {Via::Poll, "poll"},
}};

constexpr std::array<std::pair<RstOrigin, const char *>, 2> origins{{
    {RstOrigin::Peer, "peer"},
    {RstOrigin::Local, "local"},
}};

constexpr std::array<std::pair<ShutdownHow, const char *>, 3> hows{{
    {ShutdownHow::Read, "rd"},
    {ShutdownHow::Write, "wr"},
    {ShutdownHow::Both, "rdwr"},
}};

constexpr std::array<std::pair<TcpState, const char *>, 12> states{{
    {TcpState::Unknown, "UNKNOWN"},
    {TcpState::Established, "ESTABLISHED"},
    {TcpState::SynSent, "SYN_SENT"},
    {TcpState::SynRecv, "SYN_RECV"},
    {TcpState::FinWait1, "FIN_WAIT1"},
    {TcpState::FinWait2, "FIN_WAIT2"},
    {TcpState::TimeWait, "TIME_WAIT"},
    {TcpState::Close, "CLOSE"},
    {TcpState::CloseWait, "CLOSE_WAIT"},
    {TcpState::LastAck, "LAST_ACK"},
    {TcpState::Listen, "LISTEN"},
    {TcpState::Closing, "CLOSING"},
}};

#define FS_ERRNO(name)                                                                             \
    {                                                                                              \
        name, #name                                                                                \
    }
constexpr std::array<std::pair<int, const char *>, 34> errnos{{
    FS_ERRNO(EPERM),        FS_ERRNO(ENOENT),        FS_ERRNO(EINTR),      FS_ERRNO(EIO),
    FS_ERRNO(EBADF),        FS_ERRNO(EAGAIN),        FS_ERRNO(ENOMEM),     FS_ERRNO(EACCES),
    FS_ERRNO(EFAULT),       FS_ERRNO(EINVAL),        FS_ERRNO(EMFILE),     FS_ERRNO(ENFILE),
    FS_ERRNO(ENOSPC),       FS_ERRNO(EPIPE),         FS_ERRNO(ENOTSOCK),   FS_ERRNO(EDESTADDRREQ),
    FS_ERRNO(EMSGSIZE),     FS_ERRNO(EPROTOTYPE),    FS_ERRNO(EOPNOTSUPP), FS_ERRNO(EAFNOSUPPORT),
    FS_ERRNO(EADDRINUSE),   FS_ERRNO(EADDRNOTAVAIL), FS_ERRNO(ENETDOWN),   FS_ERRNO(ENETUNREACH),
    FS_ERRNO(ENETRESET),    FS_ERRNO(ECONNABORTED),  FS_ERRNO(ECONNRESET), FS_ERRNO(ENOBUFS),
    FS_ERRNO(EISCONN),      FS_ERRNO(ENOTCONN),      FS_ERRNO(ETIMEDOUT),  FS_ERRNO(ECONNREFUSED),
    FS_ERRNO(EHOSTUNREACH), FS_ERRNO(EINPROGRESS),
}};
#undef FS_ERRNO

} // namespace

QString sideName(Side side)
{
    return nameOf(sides, side);
}
std::optional<Side> sideFromName(QStringView name)
{
    return lookup(sides, name);
}

QString kindName(EventKind kind)
{
    return nameOf(kinds, kind);
}
std::optional<EventKind> kindFromName(QStringView name)
{
    return lookup(kinds, name);
}

QString viaName(Via via)
{
    return nameOf(vias, via);
}

std::optional<Via> viaFromName(QStringView name)
{
    return lookup(vias, name);
}

QString originName(RstOrigin origin)
{
    return nameOf(origins, origin);
}

std::optional<RstOrigin> originFromName(QStringView name)
{
    return lookup(origins, name);
}

QString howName(ShutdownHow how)
{
    return nameOf(hows, how);
}
std::optional<ShutdownHow> howFromName(QStringView name)
{
    return lookup(hows, name);
}

QString stateName(TcpState state)
{
    return nameOf(states, state);
}
std::optional<TcpState> stateFromName(QStringView name)
{
    return lookup(states, name);
}

QString errnoName(int err)
{
    const QString name = nameOf(errnos, err);
    return name.isEmpty() ? QStringLiteral("E%1").arg(err) : name;
}

std::optional<int> errnoFromName(QStringView name)
{
    if (const auto known = lookup(errnos, name))
        return known;
    if (name.startsWith(u'E')) {
        bool ok = false;
        const int value = name.mid(1).toInt(&ok);
        if (ok && value > 0)
            return value;
    }
    return std::nullopt;
}

QString errnoMessage(int err)
{
    return err == 0 ? QString() : QString::fromLocal8Bit(std::strerror(err));
}

} // namespace finscope
