#pragma once

// The session's time base: monotonic nanoseconds since start, plus one wall-clock anchor so a
// capture taken by tshark can be lined up with the events.

#include <QDateTime>
#include <QElapsedTimer>

namespace finscope {

class Clock
{
public:
    Clock() { restart(); }
    void restart()
    {
        m_wallStart = QDateTime::currentDateTimeUtc();
        m_timer.start();
    }
    qint64 nowNs() const { return m_timer.nsecsElapsed(); }
    QDateTime wallStart() const { return m_wallStart; }

private:
    QElapsedTimer m_timer;
    QDateTime m_wallStart;
};

} // namespace finscope
