#include "engine/socket/qtsocketendpoint.h"

#include "engine/socket/sockdiag.h"

#include <QMetaEnum>

namespace finscope {

QtSocketEndpoint::QtSocketEndpoint(Side side, quint32 conn, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_side(side)
    , m_conn(conn)
    , m_clock(clock)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // 'wait MS' as exact as ActionRunner's
    connect(&m_timer, &QTimer::timeout, this, &QtSocketEndpoint::complete);
    m_tablePoll.setSingleShot(true);
    m_tablePoll.setTimerType(Qt::PreciseTimer);
    // The look-up at close is the close's own; the later ones are samples on a timer (via poll).
    connect(&m_tablePoll, &QTimer::timeout, this, [this] { lookUpKernelTable(Via::Poll); });
    connect(&m_socket, &QTcpSocket::readyRead, this, &QtSocketEndpoint::handleReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &QtSocketEndpoint::handleBytesWritten);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, &QtSocketEndpoint::handleError);
    connect(&m_socket, &QTcpSocket::disconnected, this, &QtSocketEndpoint::handleDisconnected);
}

QtSocketEndpoint::~QtSocketEndpoint()
{
    // The socket's destructor aborts an open connection and may signal: not to a half-destroyed
    // this.
    m_socket.disconnect(this);
}

QString QtSocketEndpoint::localAddress() const
{
    return m_local ? m_local->toString() : QString();
}

QString QtSocketEndpoint::peerAddress() const
{
    return m_peer ? m_peer->toString() : QString();
}

bool QtSocketEndpoint::adoptDescriptor(qintptr fd)
{
    m_local = native::localAddress(int(fd));
    m_peer = native::peerAddress(int(fd));
    if (!m_socket.setSocketDescriptor(fd)) {
        record(EventKind::Error,
               {},
               {},
               QStringLiteral("QTcpSocket::setSocketDescriptor: %1").arg(m_socket.errorString()));
        native::close(int(fd));
        return false;
    }
    m_fd = int(fd);
    record(EventKind::Accept,
           {},
           {},
           QStringLiteral("local %1, peer %2 (held by a QTcpSocket)")
               .arg(localAddress(), peerAddress()));
    return true;
}

void QtSocketEndpoint::record(EventKind kind,
                              Event fields,
                              const QByteArray &payload,
                              const QString &text)
{
    fields.kind = kind;
    fields.tNs = m_clock->nowNs();
    fields.side = m_side;
    fields.conn = m_conn;
    emit eventRecorded(fields, payload, text);
    if (kind != EventKind::State)
        sampleState();
}

void QtSocketEndpoint::sampleState()
{
    if (m_fd < 0 || m_socket.socketDescriptor() < 0)
        return;
    // Unknown once Qt has closed the fd behind our back: nothing to show.
    const TcpState state = native::tcpState(m_fd);
    if (state == TcpState::Unknown)
        return;
    if (const auto change = m_watch.sampleState(state, m_clock->nowNs()))
        record(EventKind::State, change->fields, {}, change->text);
}

void QtSocketEndpoint::run(const Action &action)
{
    switch (action.kind) {
    case Action::Kind::Send:
    case Action::Kind::SendHex:
        // QIODevice::write() on a socket Qt has closed returns -1; ask first so the refusal is
        // recorded as an event rather than a qWarning on stderr.
        if (!m_socket.isWritable() || !isOpen()) {
            record(EventKind::Error,
                   {},
                   {},
                   QStringLiteral("QTcpSocket::write refused: Qt already closed the socket "
                                  "(state %1); the reply is never sent")
                       .arg(QString::fromLatin1(QMetaEnum::fromType<QAbstractSocket::SocketState>()
                                                    .valueToKey(m_socket.state()))));
            break;
        }
        m_unwritten += action.data;
        m_socket.write(action.data);
        m_wait = Wait::Written;
        return;
    case Action::Kind::Read:
        if (!m_ended && m_socket.bytesAvailable() == 0) {
            m_wait = Wait::Chunk;
            return;
        }
        handleReadyRead();
        break;
    case Action::Kind::ReadUntilEof:
        if (!m_ended) {
            m_wait = Wait::End;
            return;
        }
        break;
    case Action::Kind::Close:
        if (m_socket.state() != QAbstractSocket::UnconnectedState)
            m_socket.close(); // disconnected() records it
        break;
    case Action::Kind::Wait:
        m_wait = Wait::Timer;
        m_timer.start(int(std::min<qint64>(action.count, 24 * 3600 * 1000)));
        return;
    default:
        record(EventKind::Error,
               {},
               {},
               QStringLiteral("'%1' is not offered for the QTcpSocket end").arg(action.toString()));
        break;
    }
    QMetaObject::invokeMethod(this, &QtSocketEndpoint::actionFinished, Qt::QueuedConnection);
}

void QtSocketEndpoint::handleReadyRead()
{
    const QByteArray data = m_socket.readAll();
    if (data.isEmpty())
        return;
    Event fields;
    fields.bytes = data.size();
    fields.offset = m_receivedOffset;
    m_receivedOffset += data.size();
    record(EventKind::Recv, fields, data);
    if (m_wait == Wait::Chunk)
        complete();
}

void QtSocketEndpoint::handleBytesWritten(qint64 bytes)
{
    Event fields;
    fields.bytes = bytes;
    fields.offset = m_sentOffset;
    m_sentOffset += bytes;
    const QByteArray taken = m_unwritten.left(qsizetype(bytes));
    m_unwritten.remove(0, qsizetype(bytes));
    record(EventKind::Send, fields, taken);
    if (m_wait == Wait::Written && m_socket.bytesToWrite() == 0)
        complete();
}

void QtSocketEndpoint::handleError(QAbstractSocket::SocketError error)
{
    const QString name = QString::fromLatin1(
        QMetaEnum::fromType<QAbstractSocket::SocketError>().valueToKey(error));
    record(EventKind::Error,
           {},
           {},
           QStringLiteral("QTcpSocket %1: %2").arg(name, m_socket.errorString()));
    if (error == QAbstractSocket::RemoteHostClosedError) {
        m_ended = true;
        if (m_wait == Wait::End || m_wait == Wait::Chunk)
            complete();
    }
}

void QtSocketEndpoint::handleDisconnected()
{
    const bool peerFirst = m_ended;
    m_ended = true;
    m_fd = -1;
    record(EventKind::Close,
           {},
           {},
           peerFirst ? QStringLiteral("QTcpSocket closed the socket itself on the peer's FIN: "
                                      "both directions, a FIN goes out")
                     : QStringLiteral("QTcpSocket closed"));
    m_watch.watchTable(m_clock->nowNs());
    lookUpKernelTable(Via::Call);
    if (m_wait == Wait::End || m_wait == Wait::Chunk || m_wait == Wait::Written)
        complete();
}

void QtSocketEndpoint::lookUpKernelTable(Via via)
{
    QString error;
    const auto entry
        = m_local && m_peer ? sockdiag::lookUp(*m_local, *m_peer, &error) : std::nullopt;
    if (!entry) {
        if (auto said = m_watch.tableUnavailable(error)) {
            said->fields.via = via;
            record(EventKind::Error, said->fields, {}, said->text);
        }
    } else if (auto change = m_watch.sampleTable(*entry, m_clock->nowNs())) {
        change->fields.via = via;
        record(EventKind::State, change->fields, {}, change->text);
    }
    const int next = m_watch.nextTableLookupMs(m_clock->nowNs());
    if (next >= 0)
        m_tablePoll.start(next);
}

void QtSocketEndpoint::complete()
{
    if (m_wait == Wait::None)
        return;
    m_wait = Wait::None;
    QMetaObject::invokeMethod(this, &QtSocketEndpoint::actionFinished, Qt::QueuedConnection);
}

} // namespace finscope
