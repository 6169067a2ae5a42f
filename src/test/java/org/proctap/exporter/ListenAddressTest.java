package org.proctap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void aPortAloneIsLoopback() {
        ListenAddress a = ListenAddress.parse("9464");
        assertThat(a.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(a.port()).isEqualTo(9464);
        assertThat(a.exposed()).isFalse();
    }

    @Test
    void anAddressAndIpv6InBrackets() {
        assertThat(ListenAddress.parse("0.0.0.0:80").exposed()).isTrue();
        assertThat(ListenAddress.parse("[::1]:9464").exposed()).isFalse();
        assertThat(ListenAddress.parse("[::1]:9464").toString()).isEqualTo("[0:0:0:0:0:0:0:1]:9464");
        assertThat(ListenAddress.parse("127.0.0.2:1").toString()).isEqualTo("127.0.0.2:1");
    }

    @Test
    void badValuesSayWhatIsWrong() {
        assertThatThrownBy(() -> ListenAddress.parse("http")).hasMessage("--listen takes [ADDR:]PORT, not 'http'");
        assertThatThrownBy(() -> ListenAddress.parse("70000")).hasMessage("--listen: port must be 0-65535, not 70000");
        assertThatThrownBy(() -> ListenAddress.parse(":80")).hasMessageContaining("no address");
    }
}
