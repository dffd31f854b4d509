/**
 * The kafkajs partition assigner of the coordinator group: co-partitioned assignment (core/assignment.ts), so the
 * owner of a connection's partition of sync.coordinator also gets the same partition of sync.commands.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { coPartitionedAssignment } from './core/assignment.ts';

/** The assigner's protocol name (every member of the group must use it). */
export const CONNECTION_ASSIGNER = 'DynsyncConnectionAssigner';

/** kafkajs assigner giving partition p of every subscribed topic to the same member. */
export const connectionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CONNECTION_ASSIGNER,
  version: 1,
  async assign({ members, topics }) {
    const partitionsByTopic = Object.fromEntries(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]));
    const assignment = coPartitionedAssignment(members.map((m) => m.memberId), partitionsByTopic);
    return Object.entries(assignment).map(([memberId, a]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: a, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: CONNECTION_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
