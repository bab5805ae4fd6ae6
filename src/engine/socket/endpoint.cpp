#include "engine/socket/endpoint.h"

#include "engine/core/hostport.h"

#include <QFile>
#include <QHostInfo>

#include <cerrno>

namespace finscope {

namespace {

// Large enough that a 4 GiB transfer is a few thousand syscalls, small enough to keep the loop
// responsive between activations.
constexpr qint64 MaxChunk = 256 * 1024;
constexpr int MaxCallsPerActivation = 16;
constexpr int KernelTablePolls = 40; // how long after close() the TIME_WAIT entry is watched
constexpr int ReadShutPollMs = 10;
// While a FIN waits for its ACK the state can change within a fraction of a millisecond: sample
// closely for a while so a short FIN_WAIT2 or LAST_ACK still shows on the timeline.
constexpr int TransitionPollMs = 1;
constexpr qint64 TransitionWatchNs = 200'000'000;

bool awaitingAck(TcpState state)
{
    return state == TcpState::FinWait1 || state == TcpState::LastAck || state == TcpState::Closing;
}

// 64 printable bytes repeated: recognisable in a hex dump, and offset-addressable without a
// buffer the size of the transfer.
const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        const QByteArray unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";
        QByteArray out;
        out.reserve(MaxChunk + unit.size());
        while (out.size() < MaxChunk + unit.size())
            out += unit;
        return out;
    }();
    return block;
}

bool peerHasSentFin(TcpState state)
{
    switch (state) {
    case TcpState::CloseWait:
    case TcpState::LastAck:
    case TcpState::Closing:
    case TcpState::TimeWait:
    case TcpState::Close:
        return true;
    default:
        return false;
    }
}

} // namespace

Endpoint::Endpoint(Side side, quint32 conn, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_side(side)
    , m_conn(conn)
    , m_clock(clock)
{
    m_readBuffer.resize(MaxChunk);
    m_pollTimer.setInterval(PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &Endpoint::poll);
}

Endpoint::~Endpoint()
{
    delete m_readNotifier;
    delete m_writeNotifier;
    if (m_fd >= 0)
        native::close(m_fd);
    if (m_dupFd >= 0)
        native::close(m_dupFd);
}

QString Endpoint::localAddress() const
{
    return m_local ? m_local->toString() : QString();
}

qint64 Endpoint::unreadBytes() const
{
    if (m_fd < 0)
        return 0;
    const auto queues = native::kernelQueues(m_fd);
    return queues ? queues->inq : 0;
}

QString Endpoint::peerAddress() const
{
    return m_peer ? m_peer->toString() : QString();
}

void Endpoint::record(EventKind kind, Event fields, const QByteArray &payload, const QString &text)
{
    fields.kind = kind;
    fields.tNs = m_clock->nowNs();
    fields.side = m_side;
    fields.conn = m_conn;
    emit eventRecorded(fields, payload, text);
    if (kind != EventKind::State && kind != EventKind::Queue)
        sampleKernel();
}

void Endpoint::recordError(int err, const QString &context)
{
    Event fields;
    fields.err = err;
    record(EventKind::Error, fields, {}, context);
}

void Endpoint::refuse(const QString &reason, QString *error)
{
    m_errorString = reason;
    if (error)
        *error = reason;
    recordError(0, reason);
}

// --- connecting and accepting ---------------------------------------------------------------

void Endpoint::connectToHost(const QString &host, quint16 port)
{
    m_status = Status::Resolving;
    const QHostAddress literal(host);
    m_target = HostPort::format(host, port);
    m_candidates.clear();
    if (!literal.isNull()) {
        m_candidates.append({literal, port});
        QTimer::singleShot(0, this, &Endpoint::tryNextAddress);
        return;
    }
    QHostInfo::lookupHost(host, this, [this, host, port](const QHostInfo &info) {
        if (m_status != Status::Resolving)
            return; // cancelled while the name was being looked up
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            fail(QStringLiteral("cannot resolve host name '%1': %2").arg(host, info.errorString()),
                 true);
            return;
        }
        for (const QHostAddress &address : info.addresses())
            m_candidates.append({address, port});
        tryNextAddress();
    });
}

void Endpoint::tryNextAddress()
{
    if (m_status != Status::Resolving && m_status != Status::Connecting)
        return; // cancelled
    if (m_candidates.isEmpty()) {
        fail(QStringLiteral("could not connect to %1: %2").arg(m_target, m_errorString), false);
        return;
    }
    m_connectingTo = m_candidates.takeFirst();
    const QString what = QStringLiteral("connect to %1").arg(m_connectingTo.toString());
    int err = 0;
    m_fd = native::openStream(m_connectingTo.address, &err);
    if (m_fd < 0) {
        m_errorString = errnoMessage(err);
        recordError(err, what);
        tryNextAddress();
        return;
    }
    err = native::startConnect(m_fd, m_connectingTo);
    if (err == 0) {
        becomeOpen(EventKind::Connect);
        return;
    }
    if (err != EINPROGRESS) {
        native::close(m_fd);
        m_fd = -1;
        m_errorString = errnoMessage(err);
        recordError(err, what);
        tryNextAddress();
        return;
    }
    m_status = Status::Connecting;
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &Endpoint::handleConnectWritable);
}

void Endpoint::handleConnectWritable()
{
    delete m_writeNotifier;
    const int err = native::takePendingError(m_fd);
    if (err == 0) {
        becomeOpen(EventKind::Connect);
        return;
    }
    if (err == ECONNRESET || err == EPIPE) {
        // The handshake completed and the peer reset before we looked (a server that accepts and
        // aborts at once): that is a connection and its reset, not a failed connect.
        becomeOpen(EventKind::Connect);
        handleSocketError(err, "connect");
        return;
    }
    native::close(m_fd);
    m_fd = -1;
    m_errorString = errnoMessage(err);
    recordError(err, QStringLiteral("connect to %1").arg(m_connectingTo.toString()));
    tryNextAddress();
}

void Endpoint::cancelConnect(const QString &why)
{
    if (m_status != Status::Resolving && m_status != Status::Connecting)
        return;
    delete m_writeNotifier;
    if (m_fd >= 0) {
        native::close(m_fd);
        m_fd = -1;
    }
    m_candidates.clear();
    fail(QStringLiteral("connect to %1 abandoned: %2").arg(m_target, why), true);
}

bool Endpoint::adoptDescriptor(qintptr fd)
{
    m_fd = int(fd);
    if (const int err = native::setNonBlocking(m_fd)) {
        recordError(err, QStringLiteral("accept: cannot make the socket non-blocking"));
        native::close(m_fd);
        m_fd = -1;
        m_status = Status::Failed;
        return false;
    }
    becomeOpen(EventKind::Accept);
    return true;
}

void Endpoint::becomeOpen(EventKind kind)
{
    m_status = Status::Open;
    m_errorString.clear();
    m_local = native::localAddress(m_fd);
    m_peer = native::peerAddress(m_fd);
    if (!m_peer && kind == EventKind::Connect)
        m_peer = m_connectingTo; // getpeername fails once a reset came in

    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    m_readNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &Endpoint::handleReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &Endpoint::handleWritable);
    m_pollTimer.start();
    record(kind, {}, {}, QStringLiteral("local %1, peer %2").arg(localAddress(), peerAddress()));
    updateNotifiers();
    emit connected();
}

void Endpoint::fail(const QString &reason, bool recordIt)
{
    m_status = Status::Failed;
    m_errorString = reason;
    if (recordIt)
        recordError(0, reason);
    emit connectFailed(reason);
}

// --- writing ----------------------------------------------------------------------------------

std::optional<QString> Endpoint::sendRefusal() const
{
    if (m_status != Status::Open)
        return m_status == Status::Closed ? QStringLiteral("the connection is closed")
                                          : QStringLiteral("not connected");
    if (m_resetSeen)
        return QStringLiteral("the connection was reset: nothing more can be sent");
    if (m_writeShutRequested)
        return QStringLiteral("the write side is shut down (SHUT_WR): nothing more can be sent");
    if (m_brokenErr != 0)
        return QStringLiteral("the connection failed (%1): nothing more can be sent")
            .arg(errnoName(m_brokenErr));
    return std::nullopt;
}

bool Endpoint::checkWritable(QString *error)
{
    const std::optional<QString> reason = sendRefusal();
    if (!reason)
        return true;
    refuse(QStringLiteral("send refused: %1").arg(*reason), error);
    return false;
}

bool Endpoint::enqueue(WriteItem item, qint64 count, QString *error)
{
    // The FIN has gone and nothing is queued behind it: let the kernel answer, so the error is its
    // own and not FinScope's opinion.
    if (m_status == Status::Open && m_writeShut && !m_resetSeen && m_brokenErr == 0
        && m_queue.empty() && m_fd >= 0)
        return sendAfterWriteShutdown(item, count, error);
    if (!checkWritable(error))
        return false;
    if (count == 0)
        return true;
    m_userQueue += count;
    m_queue.push_back(std::move(item));
    updateNotifiers();
    return true;
}

bool Endpoint::sendAfterWriteShutdown(const WriteItem &item, qint64 count, QString *error)
{
    // The first block of what would have been sent; a file is probed with a 0-byte send, which
    // Linux refuses the same way.
    QByteArray probe;
    if (item.patternLeft > 0)
        probe = patternBlock().left(qsizetype(std::min(count, MaxChunk)));
    else if (!item.file)
        probe = item.bytes.left(qsizetype(MaxChunk));
    const native::IoResult result = native::send(m_fd, probe.constData(), probe.size());
    if (result.err == 0) {
        // Linux never takes bytes after SHUT_WR; if a kernel does, record what it took.
        Event fields;
        fields.bytes = result.bytes;
        fields.offset = m_sentOffset;
        m_sentOffset += result.bytes;
        record(EventKind::Send, fields, probe.left(qsizetype(result.bytes)));
        return true;
    }
    if (result.err != EPIPE) {
        handleSocketError(result.err, "send"); // a reset nobody had asked about yet
        if (error)
            *error = m_errorString.isEmpty() ? errnoMessage(result.err) : m_errorString;
        return false;
    }
    m_errorString = QStringLiteral("send after SHUT_WR: the kernel refused it with %1 (%2); "
                                   "nothing was sent")
                        .arg(errnoName(result.err), errnoMessage(result.err));
    if (error)
        *error = QStringLiteral("the write side is shut down: ") + m_errorString;
    recordError(result.err, m_errorString);
    return false;
}

bool Endpoint::send(const QByteArray &data, QString *error)
{
    WriteItem item;
    item.bytes = data;
    return enqueue(std::move(item), data.size(), error);
}

bool Endpoint::sendPattern(qint64 count, QString *error)
{
    WriteItem item;
    item.patternLeft = count;
    return enqueue(std::move(item), count, error);
}

bool Endpoint::sendFile(const QString &path, QString *error)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        refuse(QStringLiteral("send-file: cannot open '%1': %2").arg(path, file->errorString()),
               error);
        return false;
    }
    if (file->isSequential()) {
        refuse(QStringLiteral("send-file: '%1' is not a regular file").arg(path), error);
        return false;
    }
    WriteItem item;
    item.fileLeft = file->size();
    item.file = std::move(file);
    return enqueue(std::move(item), item.fileLeft, error);
}

void Endpoint::handleWritable()
{
    for (int call = 0; call < MaxCallsPerActivation && !m_queue.empty() && m_fd >= 0; ++call) {
        WriteItem &item = m_queue.front();
        QByteArray block;
        if (item.patternLeft > 0) {
            const qint64 len = std::min(item.patternLeft, MaxChunk);
            // The pattern continues from where this item left off: byte i of the item is unit[i %
            // 64].
            block = QByteArray::fromRawData(patternBlock().constData() + (item.pos % 64),
                                            qsizetype(len));
        } else {
            if (item.file && item.pos >= item.bytes.size()) {
                item.bytes = item.file->read(std::min(item.fileLeft, MaxChunk));
                item.pos = 0;
                if (item.bytes.isEmpty()) {
                    const qint64 lost = item.fileLeft;
                    recordError(0,
                                QStringLiteral("send-file: reading '%1' failed: %2")
                                    .arg(item.file->fileName(), item.file->errorString()));
                    m_userQueue -= lost;
                    m_queue.pop_front();
                    continue;
                }
            }
            const qint64 len = std::min<qint64>(item.bytes.size() - item.pos, MaxChunk);
            block = (item.pos == 0 && len == item.bytes.size()) ? item.bytes
                                                                : item.bytes.mid(item.pos, len);
        }
        const native::IoResult result = native::send(m_fd, block.constData(), block.size());
        if (result.err == EAGAIN)
            break;
        if (result.err != 0) {
            handleSocketError(result.err, "send");
            return;
        }
        Event fields;
        fields.bytes = result.bytes;
        fields.offset = m_sentOffset;
        m_sentOffset += result.bytes;
        m_userQueue -= result.bytes;
        bool done;
        if (item.patternLeft > 0) {
            item.patternLeft -= result.bytes;
            item.pos += result.bytes;
            done = item.patternLeft == 0;
        } else {
            item.pos += result.bytes;
            if (item.file)
                item.fileLeft -= result.bytes;
            done = item.pos >= item.bytes.size() && (!item.file || item.fileLeft == 0);
        }
        const bool partial = result.bytes < block.size();
        if (partial)
            block.truncate(result.bytes);
        record(EventKind::Send, fields, block);
        if (done)
            m_queue.pop_front();
        if (partial)
            break; // the kernel's buffer is full; wait for the notifier
    }
    if (m_queue.empty() && m_fd >= 0) {
        updateNotifiers();
        if (m_pendingShutdown != ShutdownHow::None) {
            const ShutdownHow how = m_pendingShutdown;
            m_pendingShutdown = ShutdownHow::None;
            performShutdown(how);
        }
        emit writeQueueEmpty();
    }
}

// --- reading ----------------------------------------------------------------------------------

void Endpoint::setReading(bool on)
{
    if (m_reading == on)
        return;
    m_reading = on;
    updateNotifiers();
}

void Endpoint::handleReadable()
{
    readSome();
}

void Endpoint::readSome()
{
    for (int call = 0; call < MaxCallsPerActivation; ++call) {
        if (!m_reading || m_fd < 0 || m_eofSeen || m_resetSeen)
            return;
        const native::IoResult result = native::receive(m_fd, m_readBuffer.data(), MaxChunk);
        if (result.err == EAGAIN)
            return;
        if (result.err != 0) {
            handleSocketError(result.err, "recv");
            return;
        }
        if (result.bytes == 0) {
            // After our own SHUT_RD, recv returns 0 whenever nothing is queued; only the TCP state
            // tells whether the peer's FIN has arrived.
            if (m_readShut && !peerHasSentFin(native::tcpState(m_fd)))
                return;
            m_eofSeen = true;
            m_endings.append(EventKind::Eof);
            record(EventKind::Eof);
            updateNotifiers();
            emit endOfStream();
            return;
        }
        const QByteArray chunk(m_readBuffer.constData(), qsizetype(result.bytes));
        Event fields;
        fields.bytes = result.bytes;
        fields.offset = m_receivedOffset;
        m_receivedOffset += result.bytes;
        record(EventKind::Recv, fields, chunk);
        emit received(chunk);
    }
}

// --- errors and teardown ----------------------------------------------------------------------

void Endpoint::handleSocketError(int err, const char *call)
{
    if (m_resetSeen)
        return;
    const qint64 lost = m_userQueue;
    m_queue.clear();
    m_userQueue = 0;
    m_pendingShutdown = ShutdownHow::None;
    QString text = QStringLiteral("%1: %2").arg(QLatin1StringView(call), errnoMessage(err));
    if (lost > 0)
        text += QStringLiteral("; %1 queued bytes were never sent").arg(lost);
    // Linux reports a RST that arrives in CLOSE_WAIT as EPIPE, and a send after our own SHUT_WR
    // takes another path (sendAfterWriteShutdown), so EPIPE here is the peer's reset too.
    if (err == ECONNRESET || err == EPIPE) {
        m_resetSeen = true;
        m_endings.append(EventKind::Rst);
        Event fields;
        fields.err = err;
        record(EventKind::Rst, fields, {}, text);
        updateNotifiers();
        emit reset();
    } else {
        m_brokenErr = err;
        m_errorString = text;
        recordError(err, text);
        updateNotifiers();
    }
    emit writeQueueEmpty();
}

bool Endpoint::shutdown(ShutdownHow how, QString *error)
{
    if (m_status != Status::Open || m_fd < 0) {
        refuse(QStringLiteral("shutdown %1 refused: not connected").arg(howName(how)), error);
        return false;
    }
    if (how == ShutdownHow::Read) {
        performShutdown(how);
        return true;
    }
    if (m_writeShutRequested && how == ShutdownHow::Write) {
        refuse(QStringLiteral("shutdown wr refused: the write side is already shut down"), error);
        return false;
    }
    m_writeShutRequested = true;
    if (!m_queue.empty()) {
        m_pendingShutdown = how; // the FIN follows the last queued byte
        return true;
    }
    performShutdown(how);
    return true;
}

void Endpoint::performShutdown(ShutdownHow how)
{
    if (const int err = native::shutdown(m_fd, how)) {
        recordError(err, QStringLiteral("shutdown %1").arg(howName(how)));
        return;
    }
    if (how != ShutdownHow::Read)
        m_writeShut = true;
    if (how != ShutdownHow::Write)
        m_readShut = true;
    Event fields;
    fields.how = how;
    record(EventKind::Shutdown, fields);
    updateNotifiers();
}

bool Endpoint::close(QString *error)
{
    if (m_fd < 0 || m_status != Status::Open) {
        refuse(QStringLiteral("close refused: not connected"), error);
        return false;
    }
    const auto queues = native::kernelQueues(m_fd);
    qint64 unread = queues ? queues->inq : 0;
    QStringList notes;
    if (m_dupFd >= 0) {
        // Not the last handle: the kernel keeps the socket as it is and sends nothing.
        notes << QStringLiteral("a second handle (dup) still holds the socket: nothing is sent");
        if (unread > 0)
            notes << QStringLiteral("%1 bytes stay unread").arg(unread);
        unread = 0;
    } else if (unread > 0)
        notes << QStringLiteral("%1 unread bytes: the kernel sends RST, not FIN").arg(unread);
    if (m_userQueue > 0)
        notes << QStringLiteral("%1 queued bytes were never sent").arg(m_userQueue);
    releaseDescriptor(EventKind::Close, unread, notes.join(QStringLiteral("; ")));
    return true;
}

bool Endpoint::abort(QString *error)
{
    if (m_fd < 0 || m_status != Status::Open) {
        refuse(QStringLiteral("abort refused: not connected"), error);
        return false;
    }
    if (const int err = native::setLingerZero(m_fd))
        recordError(err, QStringLiteral("abort: setsockopt(SO_LINGER)"));
    const auto queues = native::kernelQueues(m_fd);
    releaseDescriptor(EventKind::Abort,
                      queues ? queues->inq : 0,
                      QStringLiteral("SO_LINGER {1, 0} then close: RST"));
    return true;
}

void Endpoint::releaseDescriptor(EventKind kind, qint64 unread, const QString &text)
{
    sampleKernel();
    delete m_readNotifier;
    delete m_writeNotifier;
    const int err = native::close(m_fd);
    m_fd = -1;
    m_status = Status::Closed;
    m_queue.clear();
    m_userQueue = 0;
    m_pendingShutdown = ShutdownHow::None;
    Event fields;
    fields.bytes = unread;
    record(kind, fields, {}, text);
    if (err != 0)
        recordError(err, QStringLiteral("close"));
    m_kernelTablePolls = KernelTablePolls;
    lookUpKernelTable();
    emit closed();
}

bool Endpoint::duplicateHandle(QString *error)
{
    if (m_fd < 0 || m_status != Status::Open) {
        refuse(QStringLiteral("dup refused: not connected"), error);
        return false;
    }
    if (m_dupFd >= 0) {
        refuse(QStringLiteral("dup refused: this end already holds a second handle"), error);
        return false;
    }
    int err = 0;
    m_dupFd = native::duplicate(m_fd, &err);
    if (m_dupFd < 0) {
        m_errorString = QStringLiteral("dup: %1").arg(errnoMessage(err));
        if (error)
            *error = m_errorString;
        recordError(err, m_errorString);
        return false;
    }
    return true;
}

bool Endpoint::closeDuplicate(QString *error)
{
    if (m_dupFd < 0) {
        refuse(QStringLiteral("close-dup refused: this end holds no second handle"), error);
        return false;
    }
    const bool last = m_fd < 0;
    const auto queues = native::kernelQueues(m_dupFd);
    const qint64 unread = queues ? queues->inq : 0;
    const int err = native::close(m_dupFd);
    m_dupFd = -1;
    if (err != 0)
        recordError(err, QStringLiteral("close-dup"));
    if (!last)
        return true; // the first handle still holds the socket: nothing happens on the wire
    Event fields;
    fields.bytes = unread;
    record(EventKind::Close,
           fields,
           {},
           unread > 0 ? QStringLiteral("the last handle (the dup): %1 unread bytes, the kernel "
                                       "sends RST, not FIN")
                            .arg(unread)
                      : QStringLiteral("the last handle (the dup): now the kernel sends FIN"));
    m_kernelTablePolls = KernelTablePolls;
    m_pollTimer.start();
    lookUpKernelTable();
    return true;
}

// --- sampling ---------------------------------------------------------------------------------

void Endpoint::updateNotifiers()
{
    const bool open = m_fd >= 0 && m_status == Status::Open;
    const bool readable = open && m_reading && !m_eofSeen && !m_resetSeen && m_brokenErr == 0;
    if (m_readNotifier)
        m_readNotifier->setEnabled(readable && !m_readShut);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(open && !m_queue.empty() && !m_resetSeen);
    // After SHUT_RD the socket is always readable (recv returns 0), so a notifier would spin:
    // poll the receive queue instead.
    int interval = readable && m_readShut ? ReadShutPollMs : PollIntervalMs;
    if (open && awaitingAck(m_lastState) && m_clock->nowNs() - m_stateSinceNs < TransitionWatchNs)
        interval = TransitionPollMs;
    if (m_pollTimer.interval() != interval)
        m_pollTimer.setInterval(interval);
}

void Endpoint::sampleKernel()
{
    if (m_fd < 0)
        return;
    const TcpState state = native::tcpState(m_fd);
    if (state != m_lastState) {
        m_lastState = state;
        m_stateSinceNs = m_clock->nowNs();
        Event fields;
        fields.state = state;
        record(EventKind::State, fields);
        updateNotifiers();
    }
    const auto queues = native::kernelQueues(m_fd);
    if (!queues)
        return;
    if (queues->outq != m_lastQueues.outq || queues->inq != m_lastQueues.inq
        || m_userQueue != m_lastUserQueue) {
        m_lastQueues = *queues;
        m_lastUserQueue = m_userQueue;
        Event fields;
        fields.bytes = m_userQueue;
        fields.outq = queues->outq;
        fields.inq = queues->inq;
        record(EventKind::Queue, fields);
    }
}

void Endpoint::lookUpKernelTable()
{
    if (!m_local || !m_peer)
        return;
    const auto state = native::kernelTableState(*m_local, *m_peer);
    const TcpState now = state.value_or(TcpState::Close);
    if (now == m_lastState)
        return;
    m_lastState = now;
    Event fields;
    fields.state = now;
    record(EventKind::State,
           fields,
           {},
           state ? QStringLiteral("kernel table after close")
                 : QStringLiteral("gone from the kernel table"));
}

void Endpoint::poll()
{
    if (m_fd < 0) {
        if (m_kernelTablePolls > 0 && --m_kernelTablePolls > 0)
            lookUpKernelTable();
        else
            m_pollTimer.stop();
        return;
    }
    if (m_status != Status::Open)
        return;
    sampleKernel();
    if (m_readShut && m_reading)
        readSome();
    // With nothing being read or sent, no syscall would notice a reset: ask SO_ERROR. Only when
    // no received data is waiting, so a reset never jumps ahead of bytes that are still readable.
    const bool idle = m_queue.empty() && (!m_reading || m_eofSeen || m_readShut);
    if (!m_resetSeen && m_brokenErr == 0 && idle && m_lastQueues.inq == 0 && m_fd >= 0) {
        if (const int err = native::takePendingError(m_fd))
            handleSocketError(err, "SO_ERROR");
    }
}

} // namespace finscope
