// WriteQueue without a socket: the kernel's answers (how much each send took) are fed in by hand,
// so partial sends, a pattern crossing a chunk boundary, a file streamed in blocks and a FIN held
// behind data are each checked byte for byte.

#include "engine/socket/writequeue.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace finscope;

namespace {

// The pattern as users are told it is: these 64 bytes repeated from the start of each send-pattern.
QByteArray expectedPattern(qint64 count)
{
    const QByteArray unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";
    QByteArray out;
    while (out.size() < count)
        out += unit;
    return out.left(qsizetype(count));
}

QByteArray fileBytes(qint64 count)
{
    QByteArray out(qsizetype(count), Qt::Uninitialized);
    for (qsizetype i = 0; i < out.size(); ++i)
        out[i] = char((i * 7 + i / 251) % 256);
    return out;
}

std::unique_ptr<QFile> openFile(const QString &path, const QByteArray &content)
{
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size())
        return nullptr;
    out.close();
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return nullptr;
    return file;
}

} // namespace

class TestWriteQueue : public QObject
{
    Q_OBJECT

private slots:
    void kernelTakesWhatItTakes_data();
    void kernelTakesWhatItTakes();
    void finWaitsForTheQueue_data();
    void finWaitsForTheQueue();
    void unreadableFileIsDroppedAndCounted_data();
    void unreadableFileIsDroppedAndCounted();
    void probeAfterShutWrIsTheFirstBlock();
    void emptyWritesAreNotQueued();
};

// items: "bytes:N", "pattern:N" or "file:N". takes: how much the kernel takes of each offer in
// turn (capped at the offer); once they run out it takes every offer whole.
void TestWriteQueue::kernelTakesWhatItTakes_data()
{
    QTest::addColumn<QStringList>("items");
    QTest::addColumn<QList<qint64>>("takes");
    QTest::addColumn<int>("expectedOffers");

    const qint64 chunk = WriteQueue::MaxChunk;
    QTest::newRow("bytes taken whole") << QStringList{"bytes:11"} << QList<qint64>{} << 1;
    QTest::newRow("a send the kernel takes partly")
        << QStringList{"bytes:11"} << QList<qint64>{3, 1, 4} << 4;
    QTest::newRow("bytes larger than a chunk")
        << QStringList{QStringLiteral("bytes:%1").arg(chunk + 5)} << QList<qint64>{} << 2;
    QTest::newRow("pattern crossing a chunk boundary")
        << QStringList{QStringLiteral("pattern:%1").arg(chunk + 100)} << QList<qint64>{} << 2;
    // 10 and 7 bytes leave the pattern in the middle of its 64-byte unit.
    QTest::newRow("pattern taken partly, mid-unit")
        << QStringList{"pattern:200"} << QList<qint64>{10, 7, 50} << 4;
    QTest::newRow("pattern partly taken at a chunk boundary")
        << QStringList{QStringLiteral("pattern:%1").arg(2 * chunk)} << QList<qint64>{chunk - 3}
        << 3;
    QTest::newRow("file streamed in blocks")
        << QStringList{QStringLiteral("file:%1").arg(2 * chunk + 17)} << QList<qint64>{} << 3;
    QTest::newRow("file block taken partly") << QStringList{"file:1000"} << QList<qint64>{999} << 2;
    QTest::newRow("items in order")
        << QStringList{"bytes:5", "pattern:70", "file:30", "bytes:1"} << QList<qint64>{2, 65} << 5;
}

void TestWriteQueue::kernelTakesWhatItTakes()
{
    QFETCH(QStringList, items);
    QFETCH(QList<qint64>, takes);
    QFETCH(int, expectedOffers);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WriteQueue queue;
    QByteArray expected;
    for (const QString &spec : items) {
        const QString kind = spec.section(u':', 0, 0);
        const qint64 count = spec.section(u':', 1).toLongLong();
        if (kind == QLatin1StringView("bytes")) {
            const QByteArray data = fileBytes(count + 3).right(qsizetype(count));
            queue.push(WriteQueue::Item::bytes(data));
            expected += data;
        } else if (kind == QLatin1StringView("pattern")) {
            queue.push(WriteQueue::Item::pattern(count));
            expected += expectedPattern(count);
        } else {
            const QByteArray content = fileBytes(count);
            auto file = openFile(dir.filePath(QString::number(expected.size())), content);
            QVERIFY(file);
            queue.push(WriteQueue::Item::file(std::move(file)));
            expected += content;
        }
        QCOMPARE(queue.bytes(), qint64(expected.size()));
    }

    QByteArray sent;
    int offers = 0;
    while (!queue.isEmpty()) {
        QVERIFY2(offers < 1000, "the queue never drains");
        const WriteQueue::Offer offer = queue.next();
        QVERIFY2(offer.readError.isEmpty(), qPrintable(offer.readError));
        QVERIFY(!offer.block.isEmpty());
        QVERIFY(offer.block.size() <= WriteQueue::MaxChunk);
        const qint64 take = std::min<qint64>(
            offers < takes.size() ? takes.at(offers) : offer.block.size(), offer.block.size());
        ++offers;
        QCOMPARE(queue.take(take), qint64(sent.size())); // the offset these bytes start at
        sent += offer.block.left(qsizetype(take));
        QCOMPARE(queue.sentOffset(), qint64(sent.size()));
        QCOMPARE(queue.bytes(), qint64(expected.size() - sent.size()));
    }
    QCOMPARE(sent.size(), expected.size());
    QVERIFY(sent == expected);
    QCOMPARE(offers, expectedOffers);
}

void TestWriteQueue::finWaitsForTheQueue_data()
{
    QTest::addColumn<ShutdownHow>("how");
    QTest::addColumn<bool>("resetFirst");
    QTest::newRow("FIN behind data") << ShutdownHow::Write << false;
    QTest::newRow("SHUT_RDWR behind data") << ShutdownHow::Both << false;
    QTest::newRow("a reset drops the waiting FIN") << ShutdownHow::Write << true;
}

void TestWriteQueue::finWaitsForTheQueue()
{
    QFETCH(ShutdownHow, how);
    QFETCH(bool, resetFirst);
    WriteQueue queue;
    queue.push(WriteQueue::Item::bytes("request"));
    queue.push(WriteQueue::Item::pattern(100));
    queue.holdShutdown(how);
    QCOMPARE(queue.takeDueShutdown(), ShutdownHow::None); // data still queued
    if (resetFirst) {
        QCOMPARE(queue.clear(), qint64(107)); // every queued byte is lost
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.bytes(), qint64(0));
        QCOMPARE(queue.sentOffset(), qint64(0));
        QCOMPARE(queue.takeDueShutdown(), ShutdownHow::None);
        return;
    }
    queue.take(queue.next().block.size());
    QCOMPARE(queue.takeDueShutdown(), ShutdownHow::None); // the pattern is still queued
    QCOMPARE(queue.next().block.size(), 100);
    queue.take(40);
    QCOMPARE(queue.takeDueShutdown(), ShutdownHow::None); // 60 bytes of it still queued
    queue.next();
    queue.take(60);
    QVERIFY(queue.isEmpty());
    QCOMPARE(queue.takeDueShutdown(), how);
    QCOMPARE(queue.takeDueShutdown(), ShutdownHow::None); // handed out once
}

void TestWriteQueue::unreadableFileIsDroppedAndCounted_data()
{
    QTest::addColumn<qint64>("truncateTo");
    QTest::newRow("emptied before the first block") << qint64(0);
    QTest::newRow("cut after the first block") << qint64(300);
}

void TestWriteQueue::unreadableFileIsDroppedAndCounted()
{
    QFETCH(qint64, truncateTo);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("data"));
    auto file = openFile(path, fileBytes(1000));
    QVERIFY(file);
    WriteQueue queue;
    queue.push(WriteQueue::Item::file(std::move(file)));
    queue.push(WriteQueue::Item::bytes("after"));
    QCOMPARE(queue.bytes(), qint64(1005));
    // The file shrinks after it was queued: its size was promised, its bytes are gone.
    QVERIFY(QFile::resize(path, truncateTo));
    if (truncateTo > 0) {
        const WriteQueue::Offer first = queue.next();
        QVERIFY(first.readError.isEmpty());
        QVERIFY(first.block == fileBytes(truncateTo));
        queue.take(first.block.size());
    }
    const WriteQueue::Offer offer = queue.next();
    QVERIFY(offer.block.isEmpty());
    QVERIFY2(offer.readError.contains(QLatin1StringView("reading '") + path),
             qPrintable(offer.readError));
    QCOMPARE(queue.dropFront(), 1000 - truncateTo);
    QCOMPARE(queue.bytes(), qint64(5));
    QVERIFY(queue.next().block == "after");
}

void TestWriteQueue::probeAfterShutWrIsTheFirstBlock()
{
    QVERIFY(WriteQueue::Item::bytes("abc").firstBlock() == "abc");
    QCOMPARE(WriteQueue::Item::bytes(fileBytes(WriteQueue::MaxChunk + 9)).firstBlock().size(),
             WriteQueue::MaxChunk);
    QVERIFY(WriteQueue::Item::pattern(10).firstBlock() == expectedPattern(10));
    QTemporaryDir dir;
    auto file = openFile(dir.filePath(QStringLiteral("f")), "content");
    QVERIFY(file);
    // A file is probed with a 0-byte send: nothing is read from it.
    QVERIFY(WriteQueue::Item::file(std::move(file)).firstBlock().isEmpty());

    WriteQueue queue;
    QCOMPARE(queue.countSent(3), qint64(0));
    QCOMPARE(queue.countSent(4), qint64(3));
    QCOMPARE(queue.sentOffset(), qint64(7));
}

void TestWriteQueue::emptyWritesAreNotQueued()
{
    WriteQueue queue;
    queue.push(WriteQueue::Item::bytes({}));
    queue.push(WriteQueue::Item::pattern(0));
    QVERIFY(queue.isEmpty());
    queue.holdShutdown(ShutdownHow::Write);
    QCOMPARE(queue.takeDueShutdown(), ShutdownHow::Write);
}

QTEST_APPLESS_MAIN(TestWriteQueue)
#include "tst_writequeue.moc"
