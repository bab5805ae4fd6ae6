#include "engine/socket/endpoint.h"

#include "engine/core/hostport.h"
#include "engine/socket/sockdiag.h"

#include <QFile>
#include <QHostInfo>
#include <QStringList>

#include <cerrno>
#include <utility>

namespace finscope {

namespace {

// Bounded per activation so one busy end cannot starve the event loop.
constexpr int MaxCallsPerActivation = 16;
constexpr qsizetype ReadChunk = 256 * 1024;

} // namespace

Endpoint::Endpoint(Side side, quint32 conn, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_side(side)
    , m_conn(conn)
    , m_clock(clock)
{
    m_readBuffer.resize(ReadChunk);
    m_pollTimer.setInterval(KernelWatch::PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &Endpoint::poll);
    // The next look-up may be the TIME_WAIT timer's end, 60 s away: a coarse timer would be
    // seconds late.
    m_tableTimer.setSingleShot(true);
    m_tableTimer.setTimerType(Qt::PreciseTimer);
    // The look-up at close is the close's own (via call); the later ones are samples on a timer.
    connect(&m_tableTimer, &QTimer::timeout, this, [this] {
        const Via was = std::exchange(m_via, Via::Poll);
        lookUpKernelTable();
        m_via = was;
    });
}

Endpoint::~Endpoint()
{
    delete m_readNotifier;
    delete m_writeNotifier;
    delete m_endingNotifier;
    if (m_endingFd >= 0)
        native::close(m_endingFd);
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

bool Endpoint::resetSeen() const
{
    // A FIN that came in before the reset is read as EOF first (the kernel marked the stream
    // done), and the reset is told to the next call after it.
    if (m_finBeforeReset)
        return m_resetSeen || (m_resetKnown && m_eofSeen);
    return m_resetSeen || (m_resetKnown && (m_eofSeen || unreadBytes() == 0));
}

QString Endpoint::peerAddress() const
{
    return m_peer ? m_peer->toString() : QString();
}

void Endpoint::record(EventKind kind, Event fields, const QByteArray &payload, const QString &text)
{
    fields.kind = kind;
    fields.tNs = m_clock->nowNs();
    if (fields.via == Via::Call)
        fields.via = m_via;
    fields.side = m_side;
    fields.conn = m_conn;
    emit eventRecorded(fields, payload, text);
    if (kind != EventKind::State && kind != EventKind::Queue && !m_holdSamples)
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
    // connect() put the socket in SYN_SENT and sent the SYN: recorded, so an attempt that never
    // completes (a dropped SYN, a cancelled run) still shows when it started and where it went.
    Event attempt;
    attempt.state = TcpState::SynSent;
    record(EventKind::State, attempt, {}, QStringLiteral("%1: SYN sent").arg(what));
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
        // A FIN came before the reset: a blocking connect() returned, and reads give the bytes
        // and EOF. The reset is recorded as the kernel learnt it, for the next call to be told.
        // No sample between the connect and the FIN, or CLOSE would come before CLOSE_WAIT.
        m_holdSamples = true;
        becomeOpen(EventKind::Connect);
        m_holdSamples = false;
        noteFinBeforeReset();
        if (m_finBeforeReset) {
            sampleQueues();
            noteReset(QStringLiteral("the peer's FIN and RST arrived before the connect was seen "
                                     "to complete"));
            return;
        }
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
    // Name the address the attempt went to (a name may have several) and the ones never tried.
    QString what = m_target;
    if (m_fd >= 0) {
        native::close(m_fd);
        m_fd = -1;
        what = m_connectingTo.toString();
    }
    QStringList untried;
    if (m_status == Status::Connecting) {
        for (const native::SocketAddress &candidate : std::as_const(m_candidates))
            untried << candidate.toString();
    }
    m_candidates.clear();
    QString reason = QStringLiteral("connect to %1 abandoned: %2").arg(what, why);
    if (!untried.isEmpty())
        reason += QStringLiteral(" (not tried: %1)").arg(untried.join(QStringLiteral(", ")));
    fail(reason, true);
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
    connect(m_readNotifier, &QSocketNotifier::activated, this, &Endpoint::readSome);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &Endpoint::handleWritable);
    int watchErr = 0;
    m_endingFd = native::openEndingWatch(m_fd, &watchErr);
    if (m_endingFd >= 0) {
        m_endingNotifier = new QSocketNotifier(m_endingFd, QSocketNotifier::Read, this);
        connect(m_endingNotifier, &QSocketNotifier::activated, this, &Endpoint::handleEndingNotice);
    }
    m_pollTimer.start();
    record(kind, {}, {}, QStringLiteral("local %1, peer %2").arg(localAddress(), peerAddress()));
    if (m_endingFd < 0)
        recordError(
            watchErr,
            QStringLiteral("epoll: a FIN or RST is found by polling only (up to %1 ms late)")
                .arg(KernelWatch::PollIntervalMs));
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
    if (m_resetSeen || m_resetKnown)
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

bool Endpoint::enqueue(WriteQueue::Item item, QString *error)
{
    // The FIN has gone and nothing is queued behind it: let the kernel answer, so the error is its
    // own and not FinScope's opinion.
    if (m_status == Status::Open && m_writeShut && !m_resetSeen && !m_resetKnown && m_brokenErr == 0
        && m_writes.isEmpty() && m_fd >= 0)
        return sendAfterWriteShutdown(item, error);
    if (!checkWritable(error))
        return false;
    if (item.size() == 0)
        return true;
    m_writes.push(std::move(item));
    updateNotifiers();
    return true;
}

bool Endpoint::sendAfterWriteShutdown(const WriteQueue::Item &item, QString *error)
{
    const QByteArray probe = item.firstBlock();
    const native::IoResult result = native::send(m_fd, probe.constData(), probe.size());
    if (result.err == 0) {
        // Linux never takes bytes after SHUT_WR; if a kernel does, record what it took.
        Event fields;
        fields.bytes = result.bytes;
        fields.offset = m_writes.countSent(result.bytes);
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
    return enqueue(WriteQueue::Item::bytes(data), error);
}

bool Endpoint::sendPattern(qint64 count, QString *error)
{
    return enqueue(WriteQueue::Item::pattern(count), error);
}

bool Endpoint::sendFile(const QString &path, QString *error)
{
    QString why;
    auto file = WriteQueue::Item::openFile(path, &why);
    if (!file) {
        refuse(why, error);
        return false;
    }
    return enqueue(WriteQueue::Item::file(std::move(file)), error);
}

void Endpoint::handleWritable()
{
    for (int call = 0; call < MaxCallsPerActivation && !m_writes.isEmpty() && m_fd >= 0; ++call) {
        const WriteQueue::Offer offer = m_writes.next();
        if (!offer.readError.isEmpty()) {
            recordError(0, offer.readError);
            m_writes.dropFront();
            continue;
        }
        QByteArray block = offer.block;
        const native::IoResult result = native::send(m_fd, block.constData(), block.size());
        if (result.err == EAGAIN)
            break;
        if (result.err != 0) {
            handleSocketError(result.err, "send");
            return;
        }
        Event fields;
        fields.bytes = result.bytes;
        fields.offset = m_writes.take(result.bytes);
        const bool partial = result.bytes < block.size();
        if (partial)
            block.truncate(result.bytes);
        record(EventKind::Send, fields, block);
        if (partial)
            break; // the kernel's buffer is full; wait for the notifier
    }
    if (m_writes.isEmpty() && m_fd >= 0) {
        updateNotifiers();
        const ShutdownHow how = m_writes.takeDueShutdown();
        if (how != ShutdownHow::None)
            performShutdown(how);
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

void Endpoint::readSome()
{
    for (int call = 0; call < MaxCallsPerActivation; ++call) {
        if (!m_reading || m_fd < 0 || m_eofSeen || m_resetSeen)
            return;
        const native::IoResult result
            = native::receive(m_fd, m_readBuffer.data(), m_readBuffer.size());
        if (result.err == EAGAIN)
            return;
        if (result.err != 0) {
            handleSocketError(result.err, "recv");
            return;
        }
        if (result.bytes == 0) {
            // After our own SHUT_RD, recv returns 0 whenever nothing is queued; only the TCP state
            // tells whether the peer's FIN has arrived.
            if (m_readShut && !KernelWatch::peerHasSentFin(native::tcpState(m_fd)))
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
    const qint64 lost = m_writes.clear();
    QString text = QStringLiteral("%1: %2").arg(QLatin1StringView(call), errnoMessage(err));
    if (lost > 0)
        text += QStringLiteral("; %1 queued bytes were never sent").arg(lost);
    // Linux reports a RST that arrives in CLOSE_WAIT as EPIPE, and a send after our own SHUT_WR
    // takes another path (sendAfterWriteShutdown), so EPIPE here is a reset too.
    if (err == ECONNRESET || err == EPIPE) {
        m_resetSeen = true;
        Event fields;
        fields.err = err;
        if (m_resetKnown) {
            // The rst event went in when the kernel learned it; this is the program being told.
            record(EventKind::Error,
                   fields,
                   {},
                   text + QStringLiteral(": the reset recorded when it arrived"));
        } else {
            m_resetKnown = true;
            m_endings.append(EventKind::Rst);
            QString why;
            fields.origin = resetOrigin(&why);
            record(EventKind::Rst, fields, {}, QStringLiteral("%1; %2").arg(text, why));
        }
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
    if (!m_writes.isEmpty()) {
        m_writes.holdShutdown(how); // the FIN follows the last queued byte
        return true;
    }
    performShutdown(how);
    return true;
}

void Endpoint::handleEndingNotice()
{
    native::drainEndingWatch(m_endingFd);
    if (m_fd < 0 || m_status != Status::Open)
        return;
    const Via was = std::exchange(m_via, Via::Notify);
    // As a poll would: a timeout leaves CLOSE with an error that only SO_ERROR reports, and
    // no timer looks for it on an idle end.
    pollKernel();
    m_via = was;
    armPoll();
}

void Endpoint::noteReset(const QString &found)
{
    m_resetKnown = true;
    m_endings.append(EventKind::Rst);
    const qint64 lost = m_writes.clear();
    Event fields;
    QString why;
    fields.origin = resetOrigin(&why);
    fields.err = KernelWatch::resetCause(m_openState, m_readShut, m_writeShut, 0).err;
    QString text = QStringLiteral("%1; %2").arg(found, why);
    if (lost > 0)
        text += QStringLiteral("; %1 queued bytes were never sent").arg(lost);
    record(EventKind::Rst, fields, {}, text);
    updateNotifiers();
    emit reset();
    emit writeQueueEmpty();
}

RstOrigin Endpoint::resetOrigin(QString *why) const
{
    const KernelWatch::ResetCause cause
        = KernelWatch::resetCause(m_openState, m_readShut, m_writeShut, m_watch.queues().inq);
    *why = cause.why;
    return cause.origin;
}

void Endpoint::recordLocalRst(const QString &why)
{
    Event fields;
    fields.origin = RstOrigin::Local;
    record(EventKind::Rst, fields, {}, why);
}

QString Endpoint::alreadyEnded() const
{
    if (m_resetKnown || m_resetSeen)
        return QStringLiteral("the connection was already reset: nothing goes on the wire");
    if (m_fd >= 0 && native::tcpState(m_fd) == TcpState::Close)
        return QStringLiteral("the connection had already ended: nothing goes on the wire");
    return QString();
}

void Endpoint::performShutdown(ShutdownHow how)
{
    if (const int err = native::shutdown(m_fd, how)) {
        sampleKernel(); // a reset the kernel took in meanwhile is recorded before its consequence
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
    sampleKernel(); // an ending the kernel took since the last event decides what close does
    const QString ended = alreadyEnded();
    const auto queues = native::kernelQueues(m_fd);
    qint64 unread = queues ? queues->inq : 0;
    QStringList notes;
    QString localRst;
    if (m_dupFd >= 0) {
        // Not the last handle: the kernel keeps the socket as it is and sends nothing.
        notes << QStringLiteral("a second handle (dup) still holds the socket: nothing is sent");
        if (unread > 0)
            notes << QStringLiteral("%1 bytes stay unread").arg(unread);
        unread = 0;
    } else if (!ended.isEmpty()) {
        notes << ended;
        if (unread > 0)
            notes << QStringLiteral("%1 unread bytes discarded").arg(unread);
    } else if (unread > 0) {
        notes << QStringLiteral("%1 unread bytes: the kernel sends RST, not FIN").arg(unread);
        localRst = QStringLiteral("close with %1 unread bytes: this end's kernel sent RST "
                                  "instead of FIN and discarded its send queue")
                       .arg(unread);
    }
    if (m_writes.bytes() > 0)
        notes << QStringLiteral("%1 queued bytes were never sent").arg(m_writes.bytes());
    releaseDescriptor(EventKind::Close, unread, notes.join(QStringLiteral("; ")), localRst);
    return true;
}

bool Endpoint::abort(QString *error)
{
    if (m_fd < 0 || m_status != Status::Open) {
        refuse(QStringLiteral("abort refused: not connected"), error);
        return false;
    }
    sampleKernel(); // an ending the kernel took since the last event decides what abort does
    const QString ended = alreadyEnded();
    if (const int err = native::setLingerZero(m_fd))
        recordError(err, QStringLiteral("abort: setsockopt(SO_LINGER)"));
    const auto queues = native::kernelQueues(m_fd);
    const qint64 unread = queues ? queues->inq : 0;
    if (!ended.isEmpty()) {
        releaseDescriptor(EventKind::Abort,
                          unread,
                          unread > 0 ? QStringLiteral("SO_LINGER {1, 0} then close; %1; %2 unread "
                                                      "bytes discarded")
                                           .arg(ended)
                                           .arg(unread)
                                     : QStringLiteral("SO_LINGER {1, 0} then close; %1").arg(ended),
                          {});
        return true;
    }
    // Linux resets on a zero linger only where a peer still expects data or an ACK of ours
    // (tcp_need_reset: ESTABLISHED, CLOSE_WAIT, FIN_WAIT1/2, SYN_RECV); in LAST_ACK or CLOSING
    // with nothing unread the socket is dropped and nothing goes on the wire.
    const TcpState state = native::tcpState(m_fd);
    if (unread == 0 && (state == TcpState::LastAck || state == TcpState::Closing)) {
        releaseDescriptor(EventKind::Abort,
                          unread,
                          QStringLiteral("SO_LINGER {1, 0} then close in %1: the kernel drops the "
                                         "socket and sends no RST")
                              .arg(stateName(state)),
                          {});
        return true;
    }
    releaseDescriptor(EventKind::Abort,
                      unread,
                      QStringLiteral("SO_LINGER {1, 0} then close: RST"),
                      QStringLiteral("abort (SO_LINGER {1, 0} then close): this end's kernel sent "
                                     "RST and discarded its queues"));
    return true;
}

void Endpoint::releaseDescriptor(EventKind kind,
                                 qint64 unread,
                                 const QString &text,
                                 const QString &localRst)
{
    sampleKernel();
    delete m_readNotifier;
    delete m_writeNotifier;
    delete m_endingNotifier;
    if (m_endingFd >= 0) {
        native::close(m_endingFd);
        m_endingFd = -1;
    }
    const int err = native::close(m_fd);
    m_fd = -1;
    m_status = Status::Closed;
    m_writes.clear();
    Event fields;
    fields.bytes = unread;
    record(kind, fields, {}, text);
    if (err != 0)
        recordError(err, QStringLiteral("close"));
    if (!localRst.isEmpty())
        recordLocalRst(localRst);
    // While the dup holds the socket the connection is not closed: nothing to watch for yet, and
    // nothing for a run's end to wait on. closeDuplicate() starts the watch.
    if (m_dupFd < 0) {
        m_watch.watchTable(m_clock->nowNs());
        lookUpKernelTable();
    }
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

void Endpoint::closeAtExit()
{
    if (isOpen())
        close();
    if (m_dupFd >= 0)
        closeDuplicate(nullptr,
                       QStringLiteral("closed by the run's end, as the process's exit would"));
}

bool Endpoint::closeDuplicate(QString *error, const QString &why)
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
    QString text = unread > 0
                       ? QStringLiteral("the last handle (the dup): %1 unread bytes, the kernel "
                                        "sends RST, not FIN")
                             .arg(unread)
                       : QStringLiteral("the last handle (the dup): now the kernel sends FIN");
    if (!why.isEmpty())
        text = QStringLiteral("%1; %2").arg(why, text);
    record(EventKind::Close, fields, {}, text);
    if (unread > 0 && !m_resetKnown && !m_resetSeen)
        recordLocalRst(QStringLiteral("the last handle closed with %1 unread bytes: this end's "
                                      "kernel sent RST instead of FIN")
                           .arg(unread));
    m_watch.watchTable(m_clock->nowNs());
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
        m_writeNotifier->setEnabled(open && !m_writes.isEmpty() && !m_resetSeen && !m_resetKnown);
    // While the read notifier is off, the epoll set wakes once per arrival of data instead.
    const bool watchData = open && !(readable && !m_readShut);
    if (m_endingFd >= 0 && watchData != m_endingWatchesData
        && native::watchEndingData(m_endingFd, m_fd, watchData) == 0)
        m_endingWatchesData = watchData;
    armPoll();
}

void Endpoint::armPoll()
{
    const bool open = m_fd >= 0 && m_status == Status::Open;
    const bool readable = open && m_reading && !m_eofSeen && !m_resetSeen && m_brokenErr == 0;
    // Arrivals wake the read notifier while it is on, else the epoll set.
    const bool notified = m_endingFd >= 0 && (m_endingWatchesData || (readable && !m_readShut));
    // An idle end costs nothing: no timer while only a notification can bring news.
    if (!open || m_watch.quiet(notified, m_writes.isEmpty(), readable && m_readShut)) {
        m_pollTimer.stop();
        return;
    }
    const int interval = m_watch.pollIntervalMs(open, readable && m_readShut, m_clock->nowNs());
    if (m_pollTimer.interval() != interval || !m_pollTimer.isActive())
        m_pollTimer.start(interval);
}

void Endpoint::sampleKernel()
{
    if (m_fd < 0)
        return;
    const TcpState state = native::tcpState(m_fd);
    // CLOSE without our close and an error waiting: a reset (a timeout retransmits first and is
    // left to the call that reports it). Recorded now, the error left for the program.
    const bool resetNow = state == TcpState::Close && !m_resetKnown && !m_resetSeen
                          && m_brokenErr == 0 && m_status == Status::Open
                          && KernelWatch::closedByReset(state,
                                                        native::hasPendingError(m_fd),
                                                        native::wasRetransmitting(m_fd));
    if (resetNow) {
        // A FIN and a RST microseconds apart are both in before we look: recorded in the order
        // the kernel took them, the FIN's arrival, what was left to read, then the reset.
        noteFinBeforeReset();
        sampleQueues();
    }
    if (const auto change = m_watch.sampleState(state, m_clock->nowNs())) {
        record(EventKind::State, change->fields, {}, change->text);
        updateNotifiers();
    }
    if (state != TcpState::Close && state != TcpState::Unknown) {
        m_openState = state;
    } else if (resetNow) {
        noteReset(QStringLiteral("TCP_INFO went to CLOSE with an error pending"));
        return;
    }
    sampleQueues();
}

void Endpoint::noteFinBeforeReset()
{
    if (KernelWatch::peerHasSentFin(m_openState)) {
        // Its state was seen already; the kernel marked the stream done then, so reads still end
        // in EOF, and the reset is told to the next send.
        m_finBeforeReset = true;
        return;
    }
    const auto sequence = native::sequenceReceived(m_fd);
    const auto queues = native::kernelQueues(m_fd);
    if (!sequence || !queues || !KernelWatch::finCounted(*sequence, m_receivedOffset, queues->inq))
        return;
    m_openState = TcpState::CloseWait;
    m_finBeforeReset = true;
    if (const auto change = m_watch.sampleState(TcpState::CloseWait, m_clock->nowNs())) {
        record(EventKind::State,
               change->fields,
               {},
               QStringLiteral("the peer's FIN arrived, a RST right behind it; TCP_INFO counts "
                              "the FIN"));
    }
}

void Endpoint::sampleQueues()
{
    const auto queues = native::kernelQueues(m_fd);
    if (!queues)
        return;
    if (const auto change = m_watch.sampleQueues(*queues, m_writes.bytes()))
        record(EventKind::Queue, change->fields, {}, change->text);
}

void Endpoint::lookUpKernelTable()
{
    const bool wasSettled = kernelSettled();
    QString error;
    const auto entry
        = m_local && m_peer ? sockdiag::lookUp(*m_local, *m_peer, &error) : std::nullopt;
    if (!entry) {
        if (const auto said = m_watch.tableUnavailable(error))
            record(EventKind::Error, said->fields, {}, said->text);
    } else if (const auto change = m_watch.sampleTable(*entry, m_clock->nowNs())) {
        record(EventKind::State, change->fields, {}, change->text);
    }
    const int next = m_watch.nextTableLookupMs(m_clock->nowNs());
    if (next >= 0)
        m_tableTimer.start(next);
    else
        m_tableTimer.stop();
    if (!wasSettled && kernelSettled())
        emit settled();
}

void Endpoint::poll()
{
    const Via was = std::exchange(m_via, Via::Poll);
    pollKernel();
    m_via = was;
    armPoll();
}

void Endpoint::pollKernel()
{
    if (m_fd < 0) {
        m_pollTimer.stop(); // the kernel table has its own timer after close
        return;
    }
    if (m_status != Status::Open)
        return;
    sampleKernel();
    if (m_readShut && m_reading)
        readSome();
    // With nothing being read or sent, no syscall would notice a reset: ask SO_ERROR. Only when
    // no received data is waiting, so a reset never jumps ahead of bytes that are still readable.
    const bool idle = m_writes.isEmpty() && (!m_reading || m_eofSeen || m_readShut);
    if (!m_resetSeen && !m_resetKnown && m_brokenErr == 0 && idle && m_watch.queues().inq == 0
        && m_fd >= 0) {
        if (const int err = native::takePendingError(m_fd))
            handleSocketError(err, "SO_ERROR");
    }
}

} // namespace finscope
