#pragma once

// The port a program prints on its first line ("listening on 127.0.0.1:PORT", "replaying server
// 1, listening on 127.0.0.1:PORT"): how the tests find where a finscope-cli server or a Python
// peer listens, the port having been chosen by the OS.

#include <QByteArray>
#include <QElapsedTimer>
#include <QProcess>

namespace finscope::test {

// Waits up to 10 s for the first line; 0 when it does not start with prefix.
inline quint16 firstLinePort(QProcess *process, const QByteArray &prefix = {})
{
    QElapsedTimer waited;
    waited.start();
    while (!process->canReadLine() && waited.elapsed() < 10000)
        process->waitForReadyRead(1000);
    const QByteArray line = process->readLine().trimmed();
    if (!line.startsWith(prefix))
        return 0;
    return quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
}

inline constexpr char ServerListening[] = "listening on 127.0.0.1:";

} // namespace finscope::test
