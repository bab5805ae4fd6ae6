#pragma once

// Runs a list of actions on one endpoint in order, each waiting as a blocking program would: a send
// returns once the kernel has taken the bytes, a read waits for data or EOF, an echo runs until
// EOF.

#include "engine/core/action.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <limits>

namespace finscope {

class Endpoint;

class ActionRunner : public QObject
{
    Q_OBJECT
public:
    ActionRunner(Endpoint *endpoint, const QList<Action> &actions, QObject *parent = nullptr);

    Endpoint *endpoint() const { return m_endpoint; }
    // Whether every send-file in actions names a file it can send, asked before connecting so a
    // missing file is not found mid-connection; false and *error (one sentence) otherwise.
    static bool checkFiles(const QList<Action> &actions, QString *error);
    // Action index (a send-file) sends these bytes instead of reading its file: a replay sends
    // what the recording sent, and the file named in a session someone sent stays unread.
    void setRecordedBytes(int index, const QByteArray &bytes);
    void start();

    // The one way to hold an end before its next action: the runner runs only the first count
    // actions and holds before the next (held() says when it gets there) until a larger count
    // releases it. All are released unless this is called; Conductor releases them in its order.
    void setReleased(int count);
    int released() const { return m_released; }
    // The action the runner holds before (it has finished everything before it), or -1.
    int heldIndex() const { return m_held && m_index + 1 >= m_released ? m_index + 1 : -1; }

    bool isRunning() const { return m_index >= 0 && !m_finished; }
    // The action started last (running or finished), or -1 before the first.
    int currentIndex() const { return m_index; }
    bool isFinished() const { return m_finished; }
    // False once an expectation failed; the remaining actions still run.
    bool succeeded() const { return m_failures.isEmpty(); }
    const QStringList &failures() const { return m_failures; }
    QString waitingFor() const;

signals:
    void actionStarted(int index, const finscope::Action &action);
    // The action is complete: what it waited for happened (a send taken by the kernel, an EOF...).
    void actionFinished(int index);
    // Arrived at action index, which is not released yet.
    void held(int index);
    void finished(bool ok);

private:
    enum class Wait { None, Drain, Chunk, Eof, Ending, Timer, Responder };

    void next();
    void run(const Action &action);
    void check();
    void handleReceived(const QByteArray &data);
    void handleQueueEmpty();
    void complete();
    void handleWaitOver();
    void fail(const QString &reason);

    Endpoint *m_endpoint;
    QList<Action> m_actions;
    QHash<int, QByteArray> m_recordedBytes;
    int m_index = -1;
    int m_reported = -1; // the last index actionFinished was emitted for
    int m_released = std::numeric_limits<int>::max();
    bool m_started = false;
    bool m_finished = false;
    bool m_stepping = false;
    bool m_held = false;
    int m_heldAnnounced = -1; // the last index held() was emitted for
    Wait m_wait = Wait::None;
    qint64 m_chunksAtStart = 0;
    qint64 m_chunks = 0;
    int m_endingsConsumed = 0;
    int m_endingsAtStart = 0; // endings already there when the expect action began
    bool m_backgroundReading = false;
    QTimer m_timer;
    QStringList m_failures;
};

} // namespace finscope
