#pragma once

// finscope-cli's standard output (or error) as a QIODevice on fd 1 (2), unbuffered below
// QTextStream. All it is given passes through TerminalText first, newlines kept: much of what the
// CLI prints quotes a session file, and no byte of it may reach the terminal as a control. When the
// reader goes away (EPIPE, as with `| head -1`, once SignalWatch ignores SIGPIPE) the printing
// stops and the rest is dropped: the run goes on and still saves. A QFile on stdout would keep
// every unwritten line in its buffer and grow for as long as the run prints.

#include <QIODevice>
#include <QStringDecoder>

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
    bool writeAll(const char *data, qint64 size);

    int m_fd;
    QStringDecoder m_decoder{QStringDecoder::Utf8}; // keeps a character split between two writes
    bool m_gone = false;                            // a write failed: nothing more is written
};

} // namespace finscope
