// The counter names of /proc/net/netstat and /proc/net/snmp6 (Linux 6.18:
// net/ipv4/proc.c snmp4_net_list, snmp4_ipextstats_list, net/mptcp/mib.c,
// net/ipv6/proc.c), in the kernel's order. The sandbox counts no packets:
// every value is 0. Icmp6InType / Icmp6OutType lines only appear for types
// seen, so none do.

/** The TcpExt columns of /proc/net/netstat. */
export const TCPEXT_COLUMNS: readonly string[] = [
  'SyncookiesSent', 'SyncookiesRecv', 'SyncookiesFailed', 'EmbryonicRsts', 'PruneCalled', 'RcvPruned', 'OfoPruned', 'OutOfWindowIcmps',
  'LockDroppedIcmps', 'ArpFilter', 'TW', 'TWRecycled', 'TWKilled', 'PAWSActive', 'PAWSEstab', 'BeyondWindow', 'TSEcrRejected',
  'PAWSOldAck', 'PAWSTimewait', 'DelayedACKs', 'DelayedACKLocked', 'DelayedACKLost', 'ListenOverflows', 'ListenDrops', 'TCPHPHits',
  'TCPPureAcks', 'TCPHPAcks', 'TCPRenoRecovery', 'TCPSackRecovery', 'TCPSACKReneging', 'TCPSACKReorder', 'TCPRenoReorder', 'TCPTSReorder',
  'TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo', 'TCPLossUndo', 'TCPLostRetransmit', 'TCPRenoFailures', 'TCPSackFailures',
  'TCPLossFailures', 'TCPFastRetrans', 'TCPSlowStartRetrans', 'TCPTimeouts', 'TCPLossProbes', 'TCPLossProbeRecovery',
  'TCPRenoRecoveryFail', 'TCPSackRecoveryFail', 'TCPRcvCollapsed', 'TCPBacklogCoalesce', 'TCPDSACKOldSent', 'TCPDSACKOfoSent',
  'TCPDSACKRecv', 'TCPDSACKOfoRecv', 'TCPAbortOnData', 'TCPAbortOnClose', 'TCPAbortOnMemory', 'TCPAbortOnTimeout', 'TCPAbortOnLinger',
  'TCPAbortFailed', 'TCPMemoryPressures', 'TCPMemoryPressuresChrono', 'TCPSACKDiscard', 'TCPDSACKIgnoredOld', 'TCPDSACKIgnoredNoUndo',
  'TCPSpuriousRTOs', 'TCPMD5NotFound', 'TCPMD5Unexpected', 'TCPMD5Failure', 'TCPSackShifted', 'TCPSackMerged', 'TCPSackShiftFallback',
  'TCPBacklogDrop', 'PFMemallocDrop', 'TCPMinTTLDrop', 'TCPDeferAcceptDrop', 'IPReversePathFilter', 'TCPTimeWaitOverflow',
  'TCPReqQFullDoCookies', 'TCPReqQFullDrop', 'TCPRetransFail', 'TCPRcvCoalesce', 'TCPOFOQueue', 'TCPOFODrop', 'TCPOFOMerge',
  'TCPChallengeACK', 'TCPSYNChallenge', 'TCPFastOpenActive', 'TCPFastOpenActiveFail', 'TCPFastOpenPassive', 'TCPFastOpenPassiveFail',
  'TCPFastOpenListenOverflow', 'TCPFastOpenCookieReqd', 'TCPFastOpenBlackhole', 'TCPSpuriousRtxHostQueues', 'BusyPollRxPackets',
  'TCPAutoCorking', 'TCPFromZeroWindowAdv', 'TCPToZeroWindowAdv', 'TCPWantZeroWindowAdv', 'TCPSynRetrans', 'TCPOrigDataSent',
  'TCPHystartTrainDetect', 'TCPHystartTrainCwnd', 'TCPHystartDelayDetect', 'TCPHystartDelayCwnd', 'TCPACKSkippedSynRecv',
  'TCPACKSkippedPAWS', 'TCPACKSkippedSeq', 'TCPACKSkippedFinWait2', 'TCPACKSkippedTimeWait', 'TCPACKSkippedChallenge', 'TCPWinProbe',
  'TCPKeepAlive', 'TCPMTUPFail', 'TCPMTUPSuccess', 'TCPDelivered', 'TCPDeliveredCE', 'TCPAckCompressed', 'TCPZeroWindowDrop',
  'TCPRcvQDrop', 'TCPWqueueTooBig', 'TCPFastOpenPassiveAltKey', 'TcpTimeoutRehash', 'TcpDuplicateDataRehash', 'TCPDSACKRecvSegs',
  'TCPDSACKIgnoredDubious', 'TCPMigrateReqSuccess', 'TCPMigrateReqFailure', 'TCPPLBRehash', 'TCPAORequired', 'TCPAOBad',
  'TCPAOKeyNotFound', 'TCPAOGood', 'TCPAODroppedIcmps',
];

/** The IpExt columns of /proc/net/netstat. */
export const IPEXT_COLUMNS: readonly string[] = [
  'InNoRoutes', 'InTruncatedPkts', 'InMcastPkts', 'OutMcastPkts', 'InBcastPkts', 'OutBcastPkts', 'InOctets', 'OutOctets', 'InMcastOctets',
  'OutMcastOctets', 'InBcastOctets', 'OutBcastOctets', 'InCsumErrors', 'InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts', 'InCEPkts',
  'ReasmOverlaps',
];

/** The MPTcpExt columns of /proc/net/netstat. */
export const MPTCPEXT_COLUMNS: readonly string[] = [
  'MPCapableSYNRX', 'MPCapableSYNTX', 'MPCapableSYNACKRX', 'MPCapableACKRX', 'MPCapableFallbackACK', 'MPCapableFallbackSYNACK',
  'MPCapableSYNTXDrop', 'MPCapableSYNTXDisabled', 'MPCapableEndpAttempt', 'MPFallbackTokenInit', 'MPTCPRetrans', 'MPJoinNoTokenFound',
  'MPJoinSynRx', 'MPJoinSynBackupRx', 'MPJoinSynAckRx', 'MPJoinSynAckBackupRx', 'MPJoinSynAckHMacFailure', 'MPJoinAckRx',
  'MPJoinAckHMacFailure', 'MPJoinRejected', 'MPJoinSynTx', 'MPJoinSynTxCreatSkErr', 'MPJoinSynTxBindErr', 'MPJoinSynTxConnectErr',
  'DSSNotMatching', 'DSSCorruptionFallback', 'DSSCorruptionReset', 'InfiniteMapTx', 'InfiniteMapRx', 'DSSNoMatchTCP', 'DataCsumErr',
  'OFOQueueTail', 'OFOQueue', 'OFOMerge', 'NoDSSInWindow', 'DuplicateData', 'AddAddr', 'AddAddrTx', 'AddAddrTxDrop', 'EchoAdd',
  'EchoAddTx', 'EchoAddTxDrop', 'PortAdd', 'AddAddrDrop', 'MPJoinPortSynRx', 'MPJoinPortSynAckRx', 'MPJoinPortAckRx', 'MismatchPortSynRx',
  'MismatchPortAckRx', 'RmAddr', 'RmAddrDrop', 'RmAddrTx', 'RmAddrTxDrop', 'RmSubflow', 'MPPrioTx', 'MPPrioRx', 'MPFailTx', 'MPFailRx',
  'MPFastcloseTx', 'MPFastcloseRx', 'MPRstTx', 'MPRstRx', 'SubflowStale', 'SubflowRecover', 'SndWndShared', 'RcvWndShared',
  'RcvWndConflictUpdate', 'RcvWndConflict', 'MPCurrEstab', 'Blackhole', 'MPCapableDataFallback', 'MD5SigFallback', 'DssFallback',
  'SimultConnectFallback', 'FallbackFailed', 'WinProbe',
];

/** The lines of /proc/net/snmp6. */
export const SNMP6_NAMES: readonly string[] = [
  'Ip6InReceives', 'Ip6InHdrErrors', 'Ip6InTooBigErrors', 'Ip6InNoRoutes', 'Ip6InAddrErrors', 'Ip6InUnknownProtos', 'Ip6InTruncatedPkts',
  'Ip6InDiscards', 'Ip6InDelivers', 'Ip6OutForwDatagrams', 'Ip6OutRequests', 'Ip6OutDiscards', 'Ip6OutNoRoutes', 'Ip6ReasmTimeout',
  'Ip6ReasmReqds', 'Ip6ReasmOKs', 'Ip6ReasmFails', 'Ip6FragOKs', 'Ip6FragFails', 'Ip6FragCreates', 'Ip6InMcastPkts', 'Ip6OutMcastPkts',
  'Ip6InOctets', 'Ip6OutOctets', 'Ip6InMcastOctets', 'Ip6OutMcastOctets', 'Ip6InBcastOctets', 'Ip6OutBcastOctets', 'Ip6InNoECTPkts',
  'Ip6InECT1Pkts', 'Ip6InECT0Pkts', 'Ip6InCEPkts', 'Ip6OutTransmits', 'Icmp6InMsgs', 'Icmp6InErrors', 'Icmp6OutMsgs', 'Icmp6OutErrors',
  'Icmp6InCsumErrors', 'Icmp6OutRateLimitHost', 'Icmp6InDestUnreachs', 'Icmp6InPktTooBigs', 'Icmp6InTimeExcds', 'Icmp6InParmProblems',
  'Icmp6InEchos', 'Icmp6InEchoReplies', 'Icmp6InGroupMembQueries', 'Icmp6InGroupMembResponses', 'Icmp6InGroupMembReductions',
  'Icmp6InRouterSolicits', 'Icmp6InRouterAdvertisements', 'Icmp6InNeighborSolicits', 'Icmp6InNeighborAdvertisements', 'Icmp6InRedirects',
  'Icmp6InMLDv2Reports', 'Icmp6OutDestUnreachs', 'Icmp6OutPktTooBigs', 'Icmp6OutTimeExcds', 'Icmp6OutParmProblems', 'Icmp6OutEchos',
  'Icmp6OutEchoReplies', 'Icmp6OutGroupMembQueries', 'Icmp6OutGroupMembResponses', 'Icmp6OutGroupMembReductions',
  'Icmp6OutRouterSolicits', 'Icmp6OutRouterAdvertisements', 'Icmp6OutNeighborSolicits', 'Icmp6OutNeighborAdvertisements',
  'Icmp6OutRedirects', 'Icmp6OutMLDv2Reports', 'Udp6InDatagrams', 'Udp6NoPorts', 'Udp6InErrors', 'Udp6OutDatagrams', 'Udp6RcvbufErrors',
  'Udp6SndbufErrors', 'Udp6InCsumErrors', 'Udp6IgnoredMulti', 'Udp6MemErrors', 'UdpLite6InDatagrams', 'UdpLite6NoPorts',
  'UdpLite6InErrors', 'UdpLite6OutDatagrams', 'UdpLite6RcvbufErrors', 'UdpLite6SndbufErrors', 'UdpLite6InCsumErrors', 'UdpLite6MemErrors',
];
