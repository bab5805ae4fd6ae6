#pragma once

// finscope-cli's standard output as a QIODevice on fd 1, unbuffered below QTextStream. When the
// reader goes away (EPIPE, as with `| head -1`, once SignalWatch ignores SIGPIPE) the printing
// stops and the rest is dropped: the run goes on and still saves. A QFile on stdout would keep
// every unwritten line in its buffer and grow for as long as the run prints.

#include <QIODevice>

namespace finscope {

class StandardOutput : public QIODevice
{
    Q_OBJECT
public:
    explicit StandardOutput(int fd, QObject *parent = nullptr);

    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    int m_fd;
    bool m_gone = false; // a write failed: nothing more is written
};

} // namespace finscope
