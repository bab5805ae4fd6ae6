#pragma once

// The server's end of a connection held by a QTcpSocket, as most Qt programs hold it: for the
// scenario that compares it with FinScope's own endpoint, never for the workbench itself
// (DESIGN.md §2 says why). It records the same event kinds as Endpoint, so the timeline can show
// what Qt did: read the request, read 0, and close both directions at once.

#include "engine/core/action.h"
#include "engine/core/clock.h"
#include "engine/core/event.h"
#include "engine/socket/kernelwatch.h"
#include "engine/socket/nativesocket.h"

#include <QObject>
#include <QTcpSocket>
#include <QTimer>

#include <optional>

namespace finscope {

class QtSocketEndpoint : public QObject
{
    Q_OBJECT
public:
    QtSocketEndpoint(Side side, quint32 conn, const Clock *clock, QObject *parent = nullptr);
    ~QtSocketEndpoint() override;

    Side side() const { return m_side; }
    quint32 conn() const { return m_conn; }
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QString localAddress() const;
    QString peerAddress() const;

    // Hands the accepted fd to QTcpSocket::setSocketDescriptor, which starts reading at once.
    bool adoptDescriptor(qintptr fd);

    // Runs one action the way a Qt program would write it: send (write, done once the kernel took
    // the bytes), read (the next readyRead), read-until-eof (until Qt reports the peer's close),
    // close, wait. Other actions are refused with an error event. actionFinished follows.
    void run(const Action &action);

signals:
    void
    eventRecorded(const finscope::Event &event, const QByteArray &payload, const QString &text);
    void actionFinished();

private:
    enum class Wait { None, Written, Chunk, End, Timer };

    void record(EventKind kind,
                Event fields = {},
                const QByteArray &payload = {},
                const QString &text = {});
    void sampleState();
    void handleReadyRead();
    void handleBytesWritten(qint64 bytes);
    void handleError(QAbstractSocket::SocketError error);
    void handleDisconnected();
    void lookUpKernelTable(Via via);
    void complete();

    Side m_side;
    quint32 m_conn;
    const Clock *m_clock;
    QTcpSocket m_socket;
    std::optional<native::SocketAddress> m_local;
    std::optional<native::SocketAddress> m_peer;
    int m_fd = -1; // for TCP_INFO only: Qt owns it, reads and closes it
    Wait m_wait = Wait::None;
    QByteArray m_unwritten; // handed to write(), not yet taken by the kernel
    qint64 m_sentOffset = 0;
    qint64 m_receivedOffset = 0;
    bool m_ended = false; // Qt reported the peer's close, or closed the socket
    KernelWatch m_watch;  // what the state samples and the kernel table mean
    QTimer m_timer;
    QTimer m_tablePoll; // after Qt's close: the next look-up in the kernel table
};

} // namespace finscope
