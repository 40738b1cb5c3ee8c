package io.eventml.learning;

import io.eventml.common.ml.TrainingExample;

/**
 * What reaches the trainer: a view with its final label, or, with {@link Feedback#IMMEDIATE}, an
 * early one (a fake negative as the view is seen, a positive as its purchase is).
 *
 * @param example the view and its label
 * @param early whether the label is early: learned with fake-negative weights, never scored
 */
public record TrainerInput(TrainingExample example, boolean early) {

    public static TrainerInput labelled(TrainingExample example) {
        return new TrainerInput(example, false);
    }

    public static TrainerInput early(TrainingExample example) {
        return new TrainerInput(example, true);
    }
}
