//! `Status` (OPEN_DONE, CLOSE_DONE, COMMAND_DONE) and `ProtocolErrorCode`
//! (HOST_ERROR, FUNCTION_ERROR) as open newtypes: values a device invents
//! survive a round trip and print as hex. MBIM 1.0 §9.4.5 and Table 9-6,
//! plus the Microsoft additions (windows-operator-formats.md §8.2).

crate::wire_enum! {
    /// MBIM_STATUS_CODES.
    pub struct Status(u32) {
        SUCCESS = 0 => "success",
        BUSY = 1 => "busy",
        FAILURE = 2 => "failure",
        SIM_NOT_INSERTED = 3 => "sim-not-inserted",
        BAD_SIM = 4 => "bad-sim",
        PIN_REQUIRED = 5 => "pin-required",
        PIN_DISABLED = 6 => "pin-disabled",
        NOT_REGISTERED = 7 => "not-registered",
        PROVIDERS_NOT_FOUND = 8 => "providers-not-found",
        NO_DEVICE_SUPPORT = 9 => "no-device-support",
        PROVIDER_NOT_VISIBLE = 10 => "provider-not-visible",
        DATA_CLASS_NOT_AVAILABLE = 11 => "data-class-not-available",
        PACKET_SERVICE_DETACHED = 12 => "packet-service-detached",
        MAX_ACTIVATED_CONTEXTS = 13 => "max-activated-contexts",
        NOT_INITIALIZED = 14 => "not-initialized",
        VOICE_CALL_IN_PROGRESS = 15 => "voice-call-in-progress",
        CONTEXT_NOT_ACTIVATED = 16 => "context-not-activated",
        SERVICE_NOT_ACTIVATED = 17 => "service-not-activated",
        INVALID_ACCESS_STRING = 18 => "invalid-access-string",
        INVALID_USER_NAME_PWD = 19 => "invalid-user-name-pwd",
        RADIO_POWER_OFF = 20 => "radio-power-off",
        INVALID_PARAMETERS = 21 => "invalid-parameters",
        READ_FAILURE = 22 => "read-failure",
        WRITE_FAILURE = 23 => "write-failure",
        DENIED_POLICY = 24 => "denied-policy",
        NO_PHONEBOOK = 25 => "no-phonebook",
        PARAMETER_TOO_LONG = 26 => "parameter-too-long",
        STK_BUSY = 27 => "stk-busy",
        OPERATION_NOT_ALLOWED = 28 => "operation-not-allowed",
        MEMORY_FAILURE = 29 => "memory-failure",
        INVALID_MEMORY_INDEX = 30 => "invalid-memory-index",
        MEMORY_FULL = 31 => "memory-full",
        FILTER_NOT_SUPPORTED = 32 => "filter-not-supported",
        DSS_INSTANCE_LIMIT = 33 => "dss-instance-limit",
        INVALID_DEVICE_SERVICE_OPERATION = 34 => "invalid-device-service-operation",
        AUTH_INCORRECT_AUTN = 35 => "auth-incorrect-autn",
        AUTH_SYNC_FAILURE = 36 => "auth-sync-failure",
        AUTH_AMF_NOT_SET = 37 => "auth-amf-not-set",
        CONTEXT_NOT_SUPPORTED = 38 => "context-not-supported",
        SHAREABILITY_CONDITION_ERROR = 39 => "shareability-condition-error",
        PIN_FAILURE = 40 => "pin-failure",
        NO_LTE_ATTACH_CONFIG = 41 => "no-lte-attach-config",
        SESSION_ALREADY_EXISTS = 42 => "session-already-exists",
        SMS_UNKNOWN_SMSC_ADDRESS = 100 => "sms-unknown-smsc-address",
        SMS_NETWORK_TIMEOUT = 101 => "sms-network-timeout",
        SMS_LANG_NOT_SUPPORTED = 102 => "sms-lang-not-supported",
        SMS_ENCODING_NOT_SUPPORTED = 103 => "sms-encoding-not-supported",
        SMS_FORMAT_NOT_SUPPORTED = 104 => "sms-format-not-supported",
        /// Success, with more SMS data to follow.
        SMS_MORE_DATA = 105 => "sms-more-data",
        MS_NO_LOGICAL_CHANNELS = 0x8743_0001 => "ms-no-logical-channels",
        MS_SELECT_FAILED = 0x8743_0002 => "ms-select-failed",
        MS_INVALID_LOGICAL_CHANNEL = 0x8743_0003 => "ms-invalid-logical-channel",
    }
}

impl Status {
    /// Whether the status means the command succeeded (SUCCESS, or SMS_MORE_DATA).
    pub fn is_success(self) -> bool {
        self == Status::SUCCESS || self == Status::SMS_MORE_DATA
    }
}

crate::wire_enum! {
    /// MBIM_PROTOCOL_ERROR_CODES carried by HOST_ERROR and FUNCTION_ERROR (MBIM 1.0 Table 9-7).
    pub struct ProtocolErrorCode(u32) {
        INVALID = 0 => "invalid",
        TIMEOUT_FRAGMENT = 1 => "timeout-fragment",
        FRAGMENT_OUT_OF_SEQUENCE = 2 => "fragment-out-of-sequence",
        LENGTH_MISMATCH = 3 => "length-mismatch",
        DUPLICATED_TID = 4 => "duplicated-tid",
        NOT_OPENED = 5 => "not-opened",
        UNKNOWN = 6 => "unknown",
        CANCEL = 7 => "cancel",
        MAX_TRANSFER = 8 => "max-transfer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_survives_and_prints_hex() {
        let s = Status(0x1234_5678);
        assert_eq!(s.name(), None);
        assert_eq!(u32::from(s), 0x1234_5678);
        assert_eq!(format!("{s}"), "unknown (0x12345678)");
        assert_eq!(Status::SMS_MORE_DATA.name(), Some("sms-more-data"));
        assert!(Status::SMS_MORE_DATA.is_success());
        assert!(!Status::BUSY.is_success());
    }
}
