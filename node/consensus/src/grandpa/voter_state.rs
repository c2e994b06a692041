//! What a GRANDPA voter keeps across restarts, so that a restarted validator never votes twice
//! in one round (an equivocation) and resumes where it stopped.
//!
//! Written to the node's database (the `meta` column, key `grandpa_voter`) whenever a round
//! completes and whenever this node casts a vote, before the vote leaves the node.

use ghost_primitives::{BlockNumber, Hash};
use parity_scale_codec::{Decode, DecodeAll, Encode};

use super::{Message, SignedMessage};

/// The most rounds after the last completed one in which votes are remembered.
pub const MAX_VOTED_ROUNDS: usize = 16;

/// The votes this node cast in a round it has not seen complete. A restarted voter that is
/// about to vote again in such a round sends the recorded vote instead (as Substrate does), so
/// it takes part without ever signing two different votes of one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct HasVoted {
    /// Its primary proposal.
    pub propose: Option<Message>,
    /// Its prevote.
    pub prevote: Option<Message>,
    /// Its precommit.
    pub precommit: Option<Message>,
}

impl HasVoted {
    fn slot(&mut self, message: &Message) -> &mut Option<Message> {
        match message {
            Message::PrimaryPropose(_) => &mut self.propose,
            Message::Prevote(_) => &mut self.prevote,
            Message::Precommit(_) => &mut self.precommit,
        }
    }
}

/// The last round this node saw complete.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CompletedRound {
    /// The round number (0: the set's genesis round, no votes).
    pub number: u64,
    /// The round's base block.
    pub base: (Hash, BlockNumber),
    /// The votes that completed it (for the restarted voter and for catch-up answers).
    pub votes: Vec<SignedMessage>,
}

/// The persisted state of the voter for one voter set.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct VoterState {
    /// The voter set these rounds belong to.
    pub set_id: u64,
    /// The last completed round.
    pub completed: CompletedRound,
    /// Rounds after `completed` in which this node already voted, and how far.
    pub voted: Vec<(u64, HasVoted)>,
}

impl VoterState {
    /// The state of a new voter set whose rounds start from `base` (its enacting block, or
    /// genesis).
    pub fn genesis(set_id: u64, base: (Hash, BlockNumber)) -> VoterState {
        VoterState {
            set_id,
            completed: CompletedRound {
                number: 0,
                base,
                votes: Vec::new(),
            },
            voted: Vec::new(),
        }
    }

    /// Decodes a stored state; `None` if the bytes are not one.
    pub fn decode(bytes: &[u8]) -> Option<VoterState> {
        VoterState::decode_all(&mut &bytes[..]).ok()
    }

    /// The vote to send for `message` in `round`: the one of its kind recorded earlier if
    /// there is one, else `message`, which is recorded. For a round at or below the last
    /// completed one, `None`: nothing is sent.
    pub fn vote(&mut self, round: u64, message: Message) -> Option<Message> {
        if round <= self.completed.number {
            return None;
        }
        let index = match self.voted.iter().position(|(r, _)| *r == round) {
            Some(index) => index,
            None => {
                self.voted.push((round, HasVoted::default()));
                self.voted.sort_by_key(|(r, _)| *r);
                // Keep the newest rounds only: a voter is never that far ahead of completion.
                while self.voted.len() > MAX_VOTED_ROUNDS {
                    self.voted.remove(0);
                }
                self.voted.iter().position(|(r, _)| *r == round)?
            }
        };
        let slot = self.voted[index].1.slot(&message);
        Some(slot.get_or_insert(message).clone())
    }

    /// Records that `round` completed with `votes` from `base`.
    pub fn record_completed(
        &mut self,
        round: u64,
        base: (Hash, BlockNumber),
        votes: Vec<SignedMessage>,
    ) {
        if round < self.completed.number {
            return;
        }
        self.completed = CompletedRound {
            number: round,
            base,
            votes,
        };
        self.voted.retain(|(r, _)| *r > round);
    }

    /// What this node voted in `round`, if it voted.
    pub fn has_voted(&self, round: u64) -> Option<&HasVoted> {
        self.voted
            .iter()
            .find(|(r, _)| *r == round)
            .map(|(_, votes)| votes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prevote(n: u8) -> Message {
        Message::Prevote(super::super::Prevote::new(Hash([n; 32]), u64::from(n)))
    }

    #[test]
    fn a_second_vote_of_a_kind_in_a_round_is_the_first_one() {
        let mut state = VoterState::genesis(0, (Hash::default(), 0));
        assert_eq!(state.vote(1, prevote(1)), Some(prevote(1)));
        // After a restart the voter may pick another block: the recorded vote goes instead.
        assert_eq!(state.vote(1, prevote(2)), Some(prevote(1)));
        assert_eq!(state.vote(2, prevote(2)), Some(prevote(2)));
        state.record_completed(1, (Hash::default(), 0), vec![]);
        assert!(state.has_voted(1).is_none());
        assert!(state.has_voted(2).is_some());
        // Nothing is sent for a completed round.
        assert_eq!(state.vote(1, prevote(3)), None);
        let bytes = state.encode();
        assert_eq!(VoterState::decode(&bytes), Some(state));
        assert_eq!(VoterState::decode(&[1, 2, 3]), None);
    }

    #[test]
    fn the_vote_record_is_bounded() {
        let mut state = VoterState::genesis(0, (Hash::default(), 0));
        for round in 1..100 {
            state.vote(round, prevote(1));
        }
        assert_eq!(state.voted.len(), MAX_VOTED_ROUNDS);
        assert!(state.has_voted(99).is_some());
    }
}
