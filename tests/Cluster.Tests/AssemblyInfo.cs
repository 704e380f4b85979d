// The end-to-end tests start real processes and API servers; on a small machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
