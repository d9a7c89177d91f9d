package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The generated parameter recording ({@link DelegatingPreparedStatement}) and its replay
 * ({@link ParameterReplay}), against recording fakes: what a statement was given must reach the
 * statement it is prepared again on, call for call, with equal arguments; what cannot be given twice
 * (streams, readers, LOB objects) must be reported as such, never replayed.
 */
class ParameterReplayTest {

    /** A setter call to make on a statement. */
    @FunctionalInterface
    interface Setter {
        void set(PreparedStatement ps, int index) throws Exception;
    }

    /** One call a fake statement received; arguments compared deeply (byte[] by content). */
    record Call(Method method, Object[] args) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Call c && method.equals(c.method) && Arrays.deepEquals(args, c.args);
        }

        @Override
        public int hashCode() {
            return method.hashCode() * 31 + Arrays.deepHashCode(args);
        }

        @Override
        public String toString() {
            return method.getName() + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                    .collect(Collectors.joining(", ", "(", ")")) + " " + Arrays.deepToString(args);
        }
    }

    /** One parameterSet(...) report. */
    record Recorded(int index, int setter, long primitive, Object value) {}

    /** The generated statement over a fake driver statement, recording the way RoutingPreparedStatement does. */
    static final class Recorder extends DelegatingPreparedStatement<PreparedStatement> {
        final List<Call> driverCalls = new ArrayList<>();
        final PreparedStatement driver = fake(PreparedStatement.class, driverCalls);
        final List<Recorded> recorded = new ArrayList<>();
        final List<Integer> notReplayable = new ArrayList<>();

        @Override
        PreparedStatement delegate() {
            return driver;
        }

        @Override
        PreparedStatement current() {
            return driver;
        }

        @Override
        void parameterSet(int index, int setter, long primitive, Object value) {
            recorded.add(new Recorded(index, setter, primitive, value));
        }

        @Override
        void parameterNotReplayable(int index) {
            notReplayable.add(index);
        }

        /** The calls another statement receives when every recorded parameter is replayed on it. */
        List<Call> replayed() throws SQLException {
            List<Call> calls = new ArrayList<>();
            PreparedStatement other = fake(PreparedStatement.class, calls);
            for (Recorded r : recorded) {
                ParameterReplay.replay(other, r.index(), r.setter(), r.primitive(), r.value());
            }
            return calls;
        }
    }

    /** A fake of a JDBC interface that records every call and answers with the type's default. */
    static <T> T fake(Class<T> type, List<Call> calls) {
        return type.cast(Proxy.newProxyInstance(ParameterReplayTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> type.getSimpleName() + "@fake";
                        };
                    }
                    calls.add(new Call(method, args == null ? new Object[0] : args.clone()));
                    return defaultValue(method.getReturnType());
                }));
    }

    static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    static Calendar calendar(String zone) {
        Calendar c = Calendar.getInstance(TimeZone.getTimeZone(zone));
        c.setTimeInMillis(1_764_460_800_123L);
        return c;
    }

    /** Every index-based setter whose arguments are plain values, with values at the edges. */
    static List<Setter> replayableSetters() throws Exception {
        URL url = new URL("http://127.0.0.1:8080/lagwise?q=1"); // an IP: URL.equals would resolve a host name
        Timestamp nanos = Timestamp.valueOf("2026-11-30 12:34:56.123456789");
        return List.of(
                (ps, i) -> ps.setBoolean(i, true),
                (ps, i) -> ps.setBoolean(i, false),
                (ps, i) -> ps.setByte(i, Byte.MIN_VALUE),
                (ps, i) -> ps.setShort(i, Short.MIN_VALUE),
                (ps, i) -> ps.setInt(i, Integer.MIN_VALUE),
                (ps, i) -> ps.setLong(i, Long.MIN_VALUE),
                (ps, i) -> ps.setLong(i, Long.MAX_VALUE),
                (ps, i) -> ps.setFloat(i, -0.0f),
                (ps, i) -> ps.setFloat(i, Float.NaN),
                (ps, i) -> ps.setFloat(i, Float.MIN_VALUE),
                (ps, i) -> ps.setDouble(i, -0.0),
                (ps, i) -> ps.setDouble(i, Double.MAX_VALUE),
                (ps, i) -> ps.setDouble(i, Double.NaN),
                (ps, i) -> ps.setBigDecimal(i, new BigDecimal("-12345678901234567890.000000001")),
                (ps, i) -> ps.setBigDecimal(i, null),
                (ps, i) -> ps.setString(i, "h\u00e9llo \u2713"),
                (ps, i) -> ps.setString(i, null),
                (ps, i) -> ps.setNString(i, "\u00f1"),
                (ps, i) -> ps.setBytes(i, new byte[] {0, -1, 127}),
                (ps, i) -> ps.setDate(i, Date.valueOf("2026-11-30")),
                (ps, i) -> ps.setTime(i, Time.valueOf("23:59:59")),
                (ps, i) -> ps.setTimestamp(i, nanos),
                (ps, i) -> ps.setURL(i, url),
                (ps, i) -> ps.setNull(i, Types.VARCHAR),
                (ps, i) -> ps.setNull(i, Types.STRUCT, "POINT"),
                (ps, i) -> ps.setNull(i, Types.REF, null),
                (ps, i) -> ps.setObject(i, "text"),
                (ps, i) -> ps.setObject(i, 42L),
                (ps, i) -> ps.setObject(i, null),
                (ps, i) -> ps.setObject(i, LocalDateTime.of(2026, 11, 30, 12, 0, 0, 1_000)),
                (ps, i) -> ps.setObject(i, new BigDecimal("1.50"), Types.DECIMAL),
                (ps, i) -> ps.setObject(i, new BigDecimal("1.555"), Types.DECIMAL, 2),
                (ps, i) -> ps.setObject(i, "7", Types.INTEGER),
                (ps, i) -> ps.setObject(i, OffsetDateTime.of(2026, 11, 30, 12, 0, 0, 0, ZoneOffset.ofHours(1)),
                        JDBCType.TIMESTAMP_WITH_TIMEZONE),
                (ps, i) -> ps.setObject(i, "abcdef", JDBCType.VARCHAR, 3),
                (ps, i) -> ps.setObject(i, null, JDBCType.NULL, 0),
                (ps, i) -> ps.setDate(i, Date.valueOf("2026-11-30"), calendar("Europe/Oslo")),
                (ps, i) -> ps.setTime(i, Time.valueOf("00:00:01"), calendar("America/St_Johns")),
                (ps, i) -> ps.setTimestamp(i, nanos, calendar("UTC")),
                (ps, i) -> ps.setTimestamp(i, nanos, null));
    }

    /** Every index-based setter that takes a stream, a reader or an object bound to its connection. */
    @SuppressWarnings("deprecation")
    static List<Setter> notReplayableSetters() {
        List<Call> ignored = new ArrayList<>();
        return List.of(
                (ps, i) -> ps.setAsciiStream(i, bytes()),
                (ps, i) -> ps.setAsciiStream(i, bytes(), 3),
                (ps, i) -> ps.setAsciiStream(i, bytes(), 3L),
                (ps, i) -> ps.setBinaryStream(i, bytes()),
                (ps, i) -> ps.setBinaryStream(i, bytes(), 3),
                (ps, i) -> ps.setBinaryStream(i, bytes(), 3L),
                (ps, i) -> ps.setUnicodeStream(i, bytes(), 3),
                (ps, i) -> ps.setCharacterStream(i, chars()),
                (ps, i) -> ps.setCharacterStream(i, chars(), 3),
                (ps, i) -> ps.setCharacterStream(i, chars(), 3L),
                (ps, i) -> ps.setNCharacterStream(i, chars()),
                (ps, i) -> ps.setNCharacterStream(i, chars(), 3L),
                (ps, i) -> ps.setBlob(i, bytes()),
                (ps, i) -> ps.setBlob(i, bytes(), 3L),
                (ps, i) -> ps.setClob(i, chars()),
                (ps, i) -> ps.setClob(i, chars(), 3L),
                (ps, i) -> ps.setNClob(i, chars()),
                (ps, i) -> ps.setNClob(i, chars(), 3L),
                (ps, i) -> ps.setBlob(i, fake(java.sql.Blob.class, ignored)),
                (ps, i) -> ps.setClob(i, fake(java.sql.Clob.class, ignored)),
                (ps, i) -> ps.setNClob(i, fake(java.sql.NClob.class, ignored)),
                (ps, i) -> ps.setArray(i, fake(java.sql.Array.class, ignored)),
                (ps, i) -> ps.setRef(i, fake(java.sql.Ref.class, ignored)),
                (ps, i) -> ps.setRowId(i, fake(java.sql.RowId.class, ignored)),
                (ps, i) -> ps.setSQLXML(i, fake(java.sql.SQLXML.class, ignored)),
                // The same values through setObject: what they are decides, not the setter.
                (ps, i) -> ps.setObject(i, bytes()),
                (ps, i) -> ps.setObject(i, chars(), Types.LONGVARCHAR),
                (ps, i) -> ps.setObject(i, bytes(), Types.LONGVARBINARY, 3),
                (ps, i) -> ps.setObject(i, fake(java.sql.Blob.class, ignored), JDBCType.BLOB),
                (ps, i) -> ps.setObject(i, fake(java.sql.Struct.class, ignored), JDBCType.STRUCT, 0));
    }

    static InputStream bytes() {
        return new ByteArrayInputStream(new byte[] {1, 2, 3});
    }

    static Reader chars() {
        return new StringReader("abc");
    }

    /** Makes each setter on its own parameter index, 1, 2, 3… */
    static Recorder setAll(List<Setter> setters) throws Exception {
        Recorder s = new Recorder();
        for (int i = 0; i < setters.size(); i++) {
            setters.get(i).set(s, i + 1);
        }
        return s;
    }

    @Test
    void everyReplayableSetter_reachesTheNextStatement_withEqualArguments() throws Exception {
        Recorder s = setAll(replayableSetters());

        assertThat(s.notReplayable).as("indexes reported not replayable").isEmpty();
        assertThat(s.recorded).hasSize(replayableSetters().size());
        assertThat(s.replayed()).as("calls replayed on the new statement").containsExactlyElementsOf(s.driverCalls);
    }

    @Test
    void streamsReadersAndLobs_areReportedNotReplayable_andNotRecorded() throws Exception {
        List<Setter> setters = notReplayableSetters();
        Recorder s = setAll(setters);

        assertThat(s.recorded).as("recorded").isEmpty();
        assertThat(s.notReplayable).as("indexes reported not replayable")
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, setters.size()).boxed().toList());
        assertThat(s.driverCalls).as("calls still passed to the driver").hasSize(setters.size());
    }

    @Test
    void everyIndexSetterOfPreparedStatement_isCoveredByOneOfTheTwoLists() throws Exception {
        Set<Method> covered = new LinkedHashSet<>();
        setAll(replayableSetters()).driverCalls.forEach(c -> covered.add(c.method()));
        setAll(notReplayableSetters()).driverCalls.forEach(c -> covered.add(c.method()));

        Set<Method> all = Arrays.stream(PreparedStatement.class.getMethods())
                .filter(m -> m.getName().startsWith("set") && m.getParameterCount() >= 2
                        && m.getParameterTypes()[0] == int.class)
                .collect(Collectors.toSet());
        assertThat(covered).as("setters these tests make; a new java.sql setter must be added to a list")
                .containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aCalendar_isCopiedWhenSet_soTheCallerMayChangeItAfterwards() throws Exception {
        Calendar callers = calendar("Europe/Oslo");
        Calendar asGiven = (Calendar) callers.clone();
        Timestamp ts = Timestamp.valueOf("2026-11-30 12:00:00");
        Recorder s = new Recorder();
        s.setTimestamp(1, ts, callers);

        callers.setTimeZone(TimeZone.getTimeZone("Asia/Tokyo")); // what Hibernate or the application may do next
        callers.add(Calendar.HOUR, 5);

        List<Call> replayed = s.replayed();
        assertThat(replayed).hasSize(1);
        Object[] args = replayed.get(0).args();
        assertThat(args[2]).as("the Calendar replayed").isEqualTo(asGiven).isNotSameAs(callers);
        assertThat(args[1]).isSameAs(ts);
    }

    @Test
    void oneValueSetters_recordTheirArgumentItself_withoutAllocating() throws Exception {
        String text = "x";
        Recorder s = new Recorder();
        s.setString(1, text);
        s.setLong(2, 7L);
        s.setDouble(3, 2.5);

        assertThat(s.recorded.get(0).value()).isSameAs(text);
        assertThat(s.recorded.get(1)).extracting(Recorded::primitive, Recorded::value).containsExactly(7L, null);
        assertThat(s.recorded.get(2)).extracting(Recorded::primitive, Recorded::value)
                .containsExactly(Double.doubleToRawLongBits(2.5), null);
    }

    @Test
    void anUnknownSetterId_fails() {
        PreparedStatement other = fake(PreparedStatement.class, new ArrayList<>());
        assertThatThrownBy(() -> ParameterReplay.replay(other, 1, 999, 0L, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("unknown setter id 999");
    }
}
