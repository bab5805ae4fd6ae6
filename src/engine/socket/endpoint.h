#pragma once

// One end of a TCP connection on a native fd (DESIGN.md §3): it connects or adopts an accepted
// socket, reads only while asked to, queues writes, and performs every teardown path itself so that
// no Qt class closes the connection behind the user's back. Everything it observes is emitted as an
// Event. It holds the notifiers and makes the calls (through nativesocket); what to send next is
// its WriteQueue's to say, and what the kernel's samples mean its KernelWatch's.

#include "engine/core/clock.h"
#include "engine/core/event.h"
#include "engine/socket/kernelwatch.h"
#include "engine/socket/nativesocket.h"
#include "engine/socket/writequeue.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <optional>

namespace finscope {

class Endpoint : public QObject
{
    Q_OBJECT
public:
    enum class Status { Idle, Resolving, Connecting, Open, Closed, Failed };
    Q_ENUM(Status)

    // How often the kernel's state and queues are sampled between events, and a late RST looked
    // for.
    static constexpr int PollIntervalMs = KernelWatch::PollIntervalMs;

    Endpoint(Side side, quint32 conn, const Clock *clock, QObject *parent = nullptr);
    ~Endpoint() override;

    Side side() const { return m_side; }
    quint32 conn() const { return m_conn; }
    Status status() const { return m_status; }
    bool isOpen() const { return m_status == Status::Open; }
    QString errorString() const { return m_errorString; }

    // Resolves host (QHostInfo) and tries each address in turn with a non-blocking connect.
    void connectToHost(const QString &host, quint16 port);
    // Abandons a connect still resolving or in progress (a Stop while it waits): the socket is
    // closed, the end fails with the reason, recorded. Nothing happens once open.
    void cancelConnect(const QString &why);
    // Takes ownership of a socket that accept() returned.
    bool adoptDescriptor(qintptr fd);

    // Writes are queued here and drained into the kernel as it accepts them. Once the write side
    // is shut down (the FIN has gone) a send is handed to the kernel as it is, so the error event
    // carries the kernel's own errno (EPIPE on Linux); while a FIN still waits for the queue, and
    // after a reset or a close, sends are refused without a syscall. Either way: false, *error
    // says why, and an error event records it.
    bool send(const QByteArray &data, QString *error = nullptr);
    // Why a send is refused now, the reason send() records ("send refused: <reason>"); nullopt
    // while sends are taken. The one owner of this rule: front ends enable their send controls
    // and word their tooltips from it. After the FIN has gone send() lets the kernel answer
    // (EPIPE), so it is refused all the same.
    std::optional<QString> sendRefusal() const;
    // count bytes of a repeating printable pattern, generated as the kernel takes them.
    bool sendPattern(qint64 count, QString *error = nullptr);
    // Streams the file; its bytes are read as the kernel takes them.
    bool sendFile(const QString &path, QString *error = nullptr);

    // Write: the FIN waits until the user queue is empty. Read: local only on Linux (the peer is
    // told nothing). Both: waits for the queue like Write, then SHUT_RDWR.
    bool shutdown(ShutdownHow how, QString *error = nullptr);
    // close(): with unread received bytes the kernel sends RST instead of FIN; the close event
    // records how many were unread. Bytes still in the user queue are never sent.
    bool close(QString *error = nullptr);
    // SO_LINGER {1,0} then close: the deliberate RST.
    bool abort(QString *error = nullptr);

    // A second handle to the same socket (dup), as a forked child would hold. The kernel sends a
    // FIN (or RST) only when the last handle is closed, so close() while the second handle is
    // held sends nothing; shutdown() acts on the socket whatever the handles.
    bool duplicateHandle(QString *error = nullptr);
    // Closes the second handle. When close() already released the first, this is the last one
    // and the kernel now sends its FIN (or RST): recorded as a close event, why (when given)
    // saying who closed it. The kernel table is watched from then on, not while the dup held it.
    bool closeDuplicate(QString *error = nullptr, const QString &why = {});
    // A run's end: closes what is still open and then a second handle still held, each recorded
    // as it happens (the process's exit would close them unrecorded), so the end can settle.
    void closeAtExit();

    // Reads from the kernel only while on: data left unread stays in the kernel's receive queue,
    // as it would for a program that is not calling recv().
    void setReading(bool on);
    bool isReading() const { return m_reading; }

    bool writeShutdownRequested() const { return m_writeShutRequested; }
    bool writeShut() const { return m_writeShut; }
    bool readShut() const { return m_readShut; }
    bool eofSeen() const { return m_eofSeen; }
    // A reset ends the stream: the program was told (a call failed with ECONNRESET or EPIPE), or
    // the kernel knows of it and nothing received before it is left to read.
    bool resetSeen() const;
    // The kernel knows of a reset (recorded as a rst event), though the program may still be
    // reading the bytes that arrived before it.
    bool resetKnown() const { return m_resetKnown; }
    // The EOF and RST events seen so far, in order: an EOF when the program read it, a RST when
    // the kernel learned it.
    const QList<EventKind> &endings() const { return m_endings; }
    // The peer's FIN arrived before its RST: reads give the bytes left and then EOF (the kernel
    // marked the stream done), though the rst is in endings() first, when the kernel learnt it.
    bool finBeforeReset() const { return m_finBeforeReset; }

    qint64 bytesSent() const { return m_writes.sentOffset(); }
    qint64 bytesReceived() const { return m_receivedOffset; }
    qint64 userQueueBytes() const { return m_writes.bytes(); }
    TcpState tcpState() const { return m_watch.state(); }
    native::KernelQueues kernelQueues() const { return m_watch.queues(); }
    // Asks the kernel now (SIOCINQ): what a close() would find unread.
    qint64 unreadBytes() const;
    QString localAddress() const;
    QString peerAddress() const;
    // After close: the kernel's entry for the connection is in TIME_WAIT or gone (or cannot be
    // watched). True for an end still open or never connected: nothing to wait for. settled()
    // tells when it becomes true.
    bool kernelSettled() const { return m_watch.settledAfterClose(); }
    // True while the kernel is sampled on a timer (a queue drains, a FIN waits for its ACK): an
    // idle open end is not, it waits for the kernel's notifications.
    bool isPolling() const { return m_pollTimer.isActive(); }

signals:
    void
    eventRecorded(const finscope::Event &event, const QByteArray &payload, const QString &text);
    void connected();
    void connectFailed(const QString &reason);
    void received(const QByteArray &data);
    void endOfStream();
    void reset();
    void writeQueueEmpty();
    void closed();
    void settled();

private:
    void record(EventKind kind,
                Event fields = {},
                const QByteArray &payload = {},
                const QString &text = {});
    void recordError(int err, const QString &context);
    void refuse(const QString &reason, QString *error);
    bool checkWritable(QString *error);
    bool enqueue(WriteQueue::Item item, QString *error);
    bool sendAfterWriteShutdown(const WriteQueue::Item &item, QString *error);

    void tryNextAddress();
    void handleConnectWritable();
    void becomeOpen(EventKind kind);
    void fail(const QString &reason, bool recordIt);

    void readSome();
    void handleWritable();
    void updateNotifiers();
    void handleSocketError(int err, const char *call);
    void handleEndingNotice();
    void noteReset(const QString &found);
    RstOrigin resetOrigin(QString *why) const;
    void recordLocalRst(const QString &why);
    QString alreadyEnded() const;
    void performShutdown(ShutdownHow how);
    // localRst: why this end's kernel sends RST as the descriptor goes (recorded after the
    // close or abort event), empty when it does not.
    void
    releaseDescriptor(EventKind kind, qint64 unread, const QString &text, const QString &localRst);
    void sampleKernel();
    // Before a reset found in CLOSE: records the peer's FIN when it arrived first (the state went
    // through CLOSE_WAIT between two samples).
    void noteFinBeforeReset();
    void sampleQueues();
    void lookUpKernelTable();
    void poll();
    void pollKernel();
    void armPoll(); // starts, retimes or stops the poll timer for what can change now

    Side m_side;
    quint32 m_conn;
    const Clock *m_clock;
    Status m_status = Status::Idle;
    QString m_errorString;
    int m_fd = -1;
    int m_dupFd = -1; // the second handle of duplicateHandle()

    QPointer<QSocketNotifier> m_readNotifier;
    QPointer<QSocketNotifier> m_writeNotifier;
    QTimer m_pollTimer;
    QTimer m_tableTimer; // after close: the next look-up in the kernel table
    int m_endingFd = -1; // the epoll set of native::openEndingWatch
    QPointer<QSocketNotifier> m_endingNotifier;
    bool m_endingWatchesData = false; // EPOLLIN is in the epoll set (the read notifier is off)
    Via m_via = Via::Call;            // how the events being recorded now were found

    QList<native::SocketAddress> m_candidates;
    native::SocketAddress m_connectingTo;
    QString m_target;
    std::optional<native::SocketAddress> m_local;
    std::optional<native::SocketAddress> m_peer;

    WriteQueue m_writes;
    KernelWatch m_watch;
    qint64 m_receivedOffset = 0;
    QByteArray m_readBuffer;

    bool m_reading = false;
    bool m_writeShutRequested = false;
    bool m_writeShut = false;
    bool m_readShut = false;
    bool m_eofSeen = false;
    bool m_resetSeen = false;
    bool m_resetKnown = false;
    bool m_holdSamples = false;               // recording the connect of a socket already reset
    bool m_finBeforeReset = false;            // the peer's FIN arrived, then a RST before we looked
    TcpState m_openState = TcpState::Unknown; // the last state sampled before CLOSE
    int m_brokenErr = 0; // a failure other than a reset (ETIMEDOUT, EHOSTUNREACH...)
    QList<EventKind> m_endings;
};

} // namespace finscope
